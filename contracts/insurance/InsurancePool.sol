// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IBallastCore, MarketParams, MarketState} from "../interfaces/IBallastCore.sol";
import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {IInsurancePool} from "../interfaces/IInsurancePool.sol";
import {LedgerShareVault} from "../vault/LedgerShareVault.sol";

/// @title InsurancePool
/// @notice Staker shares (ERC-4626) over the Ballast core's insurance ledger: first-loss capital for bad
/// debt. Exits go through `requestWithdraw`, a cooldown and a withdrawal window.
/// @dev Asset = `ledger.collateralToken()`. The core holds every token; see `LedgerShareVault`.
contract InsurancePool is LedgerShareVault, AccessControl, IInsurancePool {
    /// @notice Bounds of `cooldown`, in seconds: long enough to matter, short enough not to trap stakers.
    uint32 public constant MIN_COOLDOWN = 1 hours;
    uint32 public constant MAX_COOLDOWN = 30 days;
    /// @notice Bounds of `window`, in seconds: long enough to get a transaction in, short enough that an
    /// open window is not a standing exit.
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 7 days;

    /// @inheritdoc IInsurancePool
    uint32 public override cooldown;
    /// @inheritdoc IInsurancePool
    uint32 public override window;

    mapping(address owner => WithdrawRequest) private _requests;

    constructor(
        IBallastLedger ledger_,
        address admin,
        uint32 cooldownSeconds,
        uint32 windowSeconds,
        string memory name_,
        string memory symbol_
    ) ERC20(name_, symbol_) LedgerShareVault(ledger_) {
        if (admin == address(0)) revert ZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setCooldown(cooldownSeconds, windowSeconds);
    }

    /// @inheritdoc IInsurancePool
    function requestWithdraw(uint256 shares) external returns (uint256 unlockTime, uint256 windowEnd) {
        if (shares == 0) revert ZeroShares();
        uint256 balance = balanceOf(msg.sender);
        if (shares > balance) revert RequestExceedsBalance(balance, shares);

        unlockTime = block.timestamp + cooldown;
        windowEnd = unlockTime + window;
        // Safe casts: now + 30 days + 7 days fits in uint64 for the next 500 billion years.
        _requests[msg.sender] =
            WithdrawRequest({shares: shares, unlockTime: uint64(unlockTime), windowEnd: uint64(windowEnd)});

        emit WithdrawRequested(msg.sender, shares, unlockTime, windowEnd);
    }

    /// @inheritdoc IInsurancePool
    function cancelWithdraw() external {
        if (_requests[msg.sender].shares == 0) revert NoWithdrawRequest();
        delete _requests[msg.sender];
        emit WithdrawCancelled(msg.sender);
    }

    /// @inheritdoc IInsurancePool
    function setCooldown(uint32 cooldownSeconds, uint32 windowSeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCooldown(cooldownSeconds, windowSeconds);
    }

    /// @inheritdoc IInsurancePool
    function withdrawRequest(address owner) external view returns (WithdrawRequest memory) {
        return _requests[owner];
    }

    /// @notice Withdraws `assets` for `owner`'s requested shares; only inside the owner's window.
    /// @dev Reverts with this pool's errors (no request, cooldown, window, request exceeded) before
    /// OpenZeppelin's max check, so a staker sees why.
    function withdraw(uint256 assets, address receiver, address owner)
        public
        override
        returns (uint256)
    {
        _checkRequest(owner, previewWithdraw(assets));
        return super.withdraw(assets, receiver, owner);
    }

    /// @notice Redeems `shares` of `owner`'s requested shares; only inside the owner's window.
    /// @dev See `withdraw` for the order of checks.
    function redeem(uint256 shares, address receiver, address owner)
        public
        override
        returns (uint256)
    {
        _checkRequest(owner, shares);
        return super.redeem(shares, receiver, owner);
    }

    /// @notice Requested shares `owner` can redeem now: 0 outside its window.
    function maxRedeem(address owner) public view override returns (uint256) {
        WithdrawRequest memory request = _requests[owner];
        if (block.timestamp < request.unlockTime || block.timestamp > request.windowEnd) return 0;
        // `_update` keeps request.shares ≤ balance; the min states the cap where it is relied on.
        return Math.min(request.shares, balanceOf(owner));
    }

    /// @dev Consumes the request before the base burns shares and the core pays out.
    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        // Cannot underflow: `_checkRequest` ran for these shares in `withdraw`/`redeem`.
        _requests[owner].shares -= shares;
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    /// @dev Shares leaving an owner shrink its request to the balance left, permanently. Otherwise one
    /// holder could stage requests on many addresses in turn and, once any of them is inside its window,
    /// move every share there and leave at once, ahead of a loss.
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == address(0)) return;
        uint256 balance = balanceOf(from);
        if (_requests[from].shares > balance) _requests[from].shares = balance;
    }

    function _checkRequest(address owner, uint256 shares) private view {
        WithdrawRequest memory request = _requests[owner];
        if (request.shares == 0) revert NoWithdrawRequest();
        if (block.timestamp < request.unlockTime) revert CooldownNotOver(request.unlockTime);
        if (block.timestamp > request.windowEnd) revert WithdrawWindowClosed(request.windowEnd);
        if (shares > request.shares) revert ExceedsRequestedShares(request.shares, shares);
    }

    function _setCooldown(uint32 cooldownSeconds, uint32 windowSeconds) private {
        if (cooldownSeconds < MIN_COOLDOWN || cooldownSeconds > MAX_COOLDOWN) {
            revert CooldownOutOfBounds(cooldownSeconds, MIN_COOLDOWN, MAX_COOLDOWN);
        }
        if (windowSeconds < MIN_WINDOW || windowSeconds > MAX_WINDOW) {
            revert WindowOutOfBounds(windowSeconds, MIN_WINDOW, MAX_WINDOW);
        }
        cooldown = cooldownSeconds;
        window = windowSeconds;
        emit CooldownSet(cooldownSeconds, windowSeconds);
    }

    /// @inheritdoc IInsurancePool
    function coverageRatio() external view returns (uint256) {
        IBallastCore core = IBallastCore(address(ledger));
        uint256 openInterestNotional;
        uint256 count = core.marketCount();
        for (uint256 marketId; marketId < count; ++marketId) {
            (MarketParams memory params, MarketState memory state,) = core.getMarket(marketId);
            uint256 openInterest = uint256(state.longOpenInterest) + uint256(state.shortOpenInterest);
            if (openInterest != 0) {
                openInterestNotional += WadMath.mulWadUp(openInterest, core.oracle().getPrice(params.feedId));
            }
        }
        if (openInterestNotional == 0) return type(uint256).max;
        // Token units to WAD: the ratio is unit-free.
        uint256 insuranceWad = totalAssets() * 10 ** (18 + _decimalsOffset() - decimals());
        return WadMath.divWadDown(insuranceWad, openInterestNotional);
    }

    function _ledgerTotalAssets() internal view override returns (uint256) {
        return ledger.insuranceTotalAssets();
    }

    function _ledgerCredit(uint256 assets) internal override {
        ledger.creditInsurance(assets);
    }

    function _ledgerDebit(address receiver, uint256 assets) internal override {
        ledger.debitInsurance(receiver, assets);
    }
}
