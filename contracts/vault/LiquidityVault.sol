// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {IERC7540Deposit, ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {AsyncRedeemVault} from "./AsyncRedeemVault.sol";

/// @title LiquidityVault
/// @notice LP shares over the Ballast core's LP ledger. LPs are the counterparty of every trade: the NAV counts the
/// traders' net unrealised PnL (at their exit price) and the funding they owe. LPs enter and leave through
/// ERC-7540 requests that anyone settles after `settlementDelay`, at the worse of the request-time and the
/// settlement-time share price.
/// @dev Asset = `ledger.collateralToken()`. The core holds every token except the assets of pending deposit
/// requests, which this contract escrows until settlement (so they are outside the NAV and bear nothing).
contract LiquidityVault is AsyncRedeemVault, ILiquidityVault {
    using SafeERC20 for IERC20;

    /// @notice Bounds of `settlementDelay`, in seconds. Below a minute a request could settle before a price the
    /// requester already sees is published; above a day LP capital is tied up for no gain in safety.
    uint32 public constant MIN_SETTLEMENT_DELAY = 1 minutes;
    /// @notice Upper bound of `settlementDelay`, in seconds (see `MIN_SETTLEMENT_DELAY`).
    uint32 public constant MAX_SETTLEMENT_DELAY = 1 days;

    /// @dev ERC-165 id of ERC-7540 asynchronous deposits (request functions and the two claim overloads).
    bytes4 private constant ERC7540_DEPOSIT_ID = 0xce3bbe50;

    /// @inheritdoc ILiquidityVault
    uint32 public override settlementDelay;

    /// @notice Assets escrowed by all pending deposit requests, token units (this contract's expected balance).
    uint256 public pendingDepositAssets;

    mapping(address controller => Request) private _depositRequests;

    constructor(
        IBallastLedger ledger_,
        address admin,
        uint32 settlementDelaySeconds,
        string memory name_,
        string memory symbol_
    ) ERC20(name_, symbol_) AsyncRedeemVault(ledger_, admin) {
        _setSettlementDelay(settlementDelaySeconds);
    }

    // ---------------------------------------------------------------- deposit requests

    /// @inheritdoc IERC7540Deposit
    /// @dev Reverts with `NavWipedOut` while the NAV reads zero with shares outstanding or is below zero, and with
    /// `FeeOnTransferNotSupported` when fewer tokens arrive than named.
    function requestDeposit(uint256 assets, address controller, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        if (assets == 0) revert ZeroAmount();
        if (controller == address(0)) revert ZeroAddress();
        if (msg.sender != owner && !isOperator[owner][msg.sender]) revert NotOwnerOrOperator(owner, msg.sender);
        if (_navWipedOut()) revert NavWipedOut();

        uint256 sharesAtRequest = _convertToShares(assets, Math.Rounding.Floor);
        _addRequest(_depositRequests, controller, assets, sharesAtRequest);
        pendingDepositAssets += assets;

        IERC20 token = _assetToken();
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(owner, address(this), assets);
        // Cannot underflow: this contract's balance only grows in a transfer to it.
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received < assets) revert FeeOnTransferNotSupported(assets, received);

        emit DepositRequest(controller, owner, 0, msg.sender, assets);
        return 0;
    }

    /// @inheritdoc ILiquidityVault
    /// @dev Order: price → delete the request → tokens to the core → credit the ledger → mint. Shares are priced
    /// before the assets reach the NAV, as in an ERC-4626 deposit.
    function settleDeposit(address controller) external nonReentrant returns (uint256 shares) {
        Request memory request = _takeUnlocked(_depositRequests, controller);
        if (_navWipedOut()) revert NavWipedOut();
        shares = Math.min(request.quote, _convertToShares(request.amount, Math.Rounding.Floor));
        pendingDepositAssets -= request.amount;

        _assetToken().safeTransfer(address(ledger), request.amount);
        _ledgerCredit(request.amount);
        _mint(controller, shares);

        emit Deposit(controller, controller, request.amount, shares);
        emit DepositSettled(controller, msg.sender, request.amount, shares, request.quote);
    }

    /// @inheritdoc ILiquidityVault
    function previewSettleDeposit(address controller) external view returns (uint256) {
        Request memory request = _depositRequests[controller];
        return Math.min(request.quote, _convertToShares(request.amount, Math.Rounding.Floor));
    }

    /// @inheritdoc IERC7540Deposit
    function pendingDepositRequest(uint256, address controller) external view returns (uint256) {
        return _depositRequests[controller].amount;
    }

    /// @inheritdoc IERC7540Deposit
    function claimableDepositRequest(uint256, address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc ILiquidityVault
    function depositRequest(address controller) external view returns (Request memory) {
        return _depositRequests[controller];
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc ILiquidityVault
    function setSettlementDelay(uint32 settlementDelaySeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSettlementDelay(settlementDelaySeconds);
    }

    // ---------------------------------------------------------------- ERC-4626 entries: disabled (ERC-7540)

    /// @notice Disabled: enter through `requestDeposit` and `settleDeposit`.
    function deposit(uint256, address) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice Disabled: enter through `requestDeposit` and `settleDeposit`.
    function mint(uint256, address) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @inheritdoc IERC7540Deposit
    function deposit(uint256, address, address) external pure returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @inheritdoc IERC7540Deposit
    function mint(uint256, address, address) external pure returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice 0: nothing is ever claimable through `deposit` (ERC-7540: max* report claimable amounts).
    function maxDeposit(address) public pure override returns (uint256) {
        return 0;
    }

    /// @notice 0: nothing is ever claimable through `mint`.
    function maxMint(address) public pure override returns (uint256) {
        return 0;
    }

    /// @notice Reverts: ERC-7540 previews of an asynchronous flow MUST revert. See `previewSettleDeposit`.
    function previewDeposit(uint256) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice Reverts: ERC-7540 previews of an asynchronous flow MUST revert. See `previewSettleDeposit`.
    function previewMint(uint256) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice ERC-165: adds ERC-7540 asynchronous deposits to the base's ids.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == ERC7540_DEPOSIT_ID || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internals

    function _settlementDelay() internal view override returns (uint256) {
        return settlementDelay;
    }

    function _setSettlementDelay(uint32 settlementDelaySeconds) private {
        if (settlementDelaySeconds < MIN_SETTLEMENT_DELAY || settlementDelaySeconds > MAX_SETTLEMENT_DELAY) {
            revert SettlementDelayOutOfBounds(settlementDelaySeconds, MIN_SETTLEMENT_DELAY, MAX_SETTLEMENT_DELAY);
        }
        settlementDelay = settlementDelaySeconds;
        emit SettlementDelaySet(settlementDelaySeconds);
    }

    /// @dev The NAV reads zero while shares exist, or is below zero: either way a deposit would first pay the
    /// traders' profit (or the losses of the LPs already in). A fresh vault (no shares, NAV exactly 0) takes deposits.
    function _navWipedOut() private view returns (bool) {
        return totalAssets() == 0 && (totalSupply() > 0 || ledger.vaultInDeficit());
    }

    function _ledgerTotalAssets() internal view override returns (uint256) {
        return ledger.vaultTotalAssets();
    }

    function _ledgerCredit(uint256 assets) internal override {
        ledger.creditVault(assets);
    }

    function _ledgerDebit(address receiver, uint256 assets) internal override {
        ledger.debitVault(receiver, assets);
    }
}
