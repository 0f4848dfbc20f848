// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBallastErrors
/// @notice The errors that more than one Ballast contract or library raises, declared once. Amounts are WAD (1e18)
/// unless named `assets`/`expected`/`received` (collateral-token units); rates are WAD.
/// @dev `IBallastCore`, `ILedgerShareVault` and `IOracleAdapter` inherit these; the pure libraries revert with
/// `IBallastErrors.X`, so each error has one selector and one text in the SDK.
interface IBallastErrors {
    // ---------------------------------------------------------------- input

    /// @notice An address argument that must be set is the zero address.
    error ZeroAddress();
    /// @notice An amount argument is zero where it must be positive.
    error ZeroAmount();
    /// @notice A token or feed reports `decimals` decimals, more than supported (18).
    error UnsupportedDecimals(uint8 decimals);
    /// @notice Fewer tokens reached the core than the transfer named: fee-on-transfer tokens are not supported.
    /// @param expected Assets the transfer named, in token units.
    /// @param received Increase of the core's token balance during the transfer, in token units.
    error FeeOnTransferNotSupported(uint256 expected, uint256 received);

    // ---------------------------------------------------------------- pricing (PricingMath)

    /// @notice The skew premium would make the fill price zero or negative (a trade far larger than the skew scale).
    error FillPriceNotPositive(uint256 price, int256 skew, int256 sizeDelta);

    // ---------------------------------------------------------------- margin tables (MarginTiers)

    /// @notice A margin table must have 1 to `maxCount` brackets; it has `count`.
    error InvalidTierCount(uint256 count, uint256 maxCount);
    /// @notice Bracket `index`'s notional cap `cap` is not above the previous bracket's cap `previousCap`.
    error TierCapsNotIncreasing(uint256 index, uint256 previousCap, uint256 cap);
    /// @notice Bracket `index` has a lower initial or maintenance rate than the bracket before it.
    error TierRatesDecreasing(uint256 index);
    /// @notice Bracket `index` breaks WAD ≥ initialMarginRate > maintenanceMarginRate > 0.
    error InvalidTierRates(uint256 index, uint256 initialMarginRate, uint256 maintenanceMarginRate);

    // ---------------------------------------------------------------- governance (GovernanceLogic)

    /// @notice Parameter `parameter` (its name as bytes32) is `value`, outside [`min`, `max`].
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The liquidation fee rate must stay below every maintenance rate in force (the liquidation fraction
    /// needs it): `liquidationFeeRate` is not below `maintenanceMarginRate`.
    error LiquidationFeeNotBelowMaintenance(uint256 liquidationFeeRate, uint256 maintenanceMarginRate);
    /// @notice The part of the liquidation fee an owner cannot win back through its own keeper,
    /// `liquidationFeeRate` × (1 − `keeperRewardShare`), is below a market's `takerFeeRate`: liquidating yourself
    /// through any address would be cheaper than closing.
    /// @notice The keeper reward floor `keeperRewardFloor` is above `maxFloor` = (liquidationFeeRate − the highest
    /// taker fee rate) × minRemainingNotional, the most a floor can be without making a self-liquidation of the
    /// smallest eligible size cheaper than closing it.
    error KeeperRewardFloorTooHigh(uint256 keeperRewardFloor, uint256 maxFloor);
    error SelfLiquidationCheaperThanClosing(uint256 liquidationFeeRate, uint256 keeperRewardShare, uint256 takerFeeRate);
}
