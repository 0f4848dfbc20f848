// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IPriceOracle
/// @notice Guarded price source used by the Ballast core for mark prices.
/// @dev Price scale: WAD (1e18) USD per 1 whole unit of the base asset, whatever the feed's decimals.
interface IPriceOracle {
    /// @notice The guarded price of `feedId`.
    /// @dev Reverts (never returns a bad price) when the answer is ≤ 0, stale, outside the configured
    /// bounds, or when the optional L2 sequencer is down or inside its grace period.
    /// @return priceWad WAD USD per 1 whole base unit, > 0.
    function getPrice(bytes32 feedId) external view returns (uint256 priceWad);
}
