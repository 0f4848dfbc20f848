// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAsyncShareVault} from "./IAsyncShareVault.sol";

/// @title IInsurancePool
/// @notice Staker shares (ERC-4626) over the core's insurance ledger, the first-loss capital that pays bad
/// debt. Staking is synchronous; leaving is a binding ERC-7540 redemption request (`requestRedeem`) settled by
/// anyone after the `cooldown`, so that no staker who sees a loss coming can avoid its pro-rata share of it.
/// @dev Times are unix seconds. The requested shares are escrowed in the pool at once and stay in the total supply,
/// so they bear every loss until they are paid; settlement pays the lower of their value at the request and their
/// value at settlement (gains after the request go to the stakers who stay). Requests cannot be cancelled.
/// Warning: the shares of a request are not the requester's to move any more: they are in the pool's escrow.
interface IInsurancePool is IAsyncShareVault {
    /// @notice Governance changed the cooldown of future requests.
    event CooldownSet(uint32 cooldown);

    /// @notice `cooldown` is outside [`min`, `max`] seconds.
    error CooldownOutOfBounds(uint32 cooldown, uint32 min, uint32 max);

    /// @notice Sets the cooldown for requests made from now on; pending requests keep their unlock time.
    /// @dev Only DEFAULT_ADMIN_ROLE. cooldown ∈ [1 hour, 30 days].
    function setCooldown(uint32 cooldown) external;

    /// @notice Seconds between a request and its earliest settlement.
    function cooldown() external view returns (uint32);

    /// @notice Insurance assets over the open-interest notional (long + short, at mark) of every market, WAD;
    /// type(uint256).max when nothing is open. Reads every market's price.
    function coverageRatio() external view returns (uint256 ratioWad);
}
