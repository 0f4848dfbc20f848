// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IBallastCore, MarketParams, MarketState} from "../interfaces/IBallastCore.sol";
import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {IInsurancePool} from "../interfaces/IInsurancePool.sol";
import {AsyncRedeemVault} from "../vault/AsyncRedeemVault.sol";

/// @title InsurancePool
/// @notice Staker shares over the Ballast core's insurance ledger: first-loss capital for bad debt. Staking is
/// ERC-4626 `deposit`/`mint`; leaving is a binding ERC-7540 redemption request that anyone settles after the
/// cooldown, at the worse of the request-time and the settlement-time share price (see `AsyncRedeemVault`).
/// @dev Asset = `ledger.collateralToken()`. The core holds every token; see `LedgerShareVault`.
contract InsurancePool is AsyncRedeemVault, IInsurancePool {
    /// @notice Bounds of `cooldown`, in seconds: long enough that a loss a staker sees coming (a bankrupt account
    /// waiting for its liquidation) is booked before a request made on seeing it can settle, short enough not
    /// to trap stakers.
    uint32 public constant MIN_COOLDOWN = 1 hours;
    /// @notice Upper bound of `cooldown`, in seconds (see `MIN_COOLDOWN`).
    uint32 public constant MAX_COOLDOWN = 30 days;

    /// @inheritdoc IInsurancePool
    uint32 public override cooldown;

    constructor(
        IBallastLedger ledger_,
        address admin,
        uint32 cooldownSeconds,
        string memory name_,
        string memory symbol_
    ) ERC20(name_, symbol_) AsyncRedeemVault(ledger_, admin) {
        _setCooldown(cooldownSeconds);
    }

    /// @inheritdoc IInsurancePool
    function setCooldown(uint32 cooldownSeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCooldown(cooldownSeconds);
    }

    function _settlementDelay() internal view override returns (uint256) {
        return cooldown;
    }

    function _setCooldown(uint32 cooldownSeconds) private {
        if (cooldownSeconds < MIN_COOLDOWN || cooldownSeconds > MAX_COOLDOWN) {
            revert CooldownOutOfBounds(cooldownSeconds, MIN_COOLDOWN, MAX_COOLDOWN);
        }
        cooldown = cooldownSeconds;
        emit CooldownSet(cooldownSeconds);
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
