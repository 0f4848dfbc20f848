// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILedgerShareVault} from "./ILedgerShareVault.sol";

/// @title IInsurancePool
/// @notice Staker shares (ERC-4626) over the core's insurance ledger, the first-loss capital that pays bad
/// debt. Stakers leave only through a request, a cooldown and a withdrawal window, so nobody can exit just
/// ahead of a loss they see coming.
/// @dev Times are unix seconds. A request is in shares; it never grows after it is made: it shrinks when
/// shares are redeemed and is capped at the owner's balance whenever shares leave the owner, so requests
/// cannot be staged on other addresses and filled by transfers at the last moment.
/// Warning: shares under a request keep bearing losses until they are redeemed.
interface IInsurancePool is ILedgerShareVault {
    /// @notice A pending exit.
    /// @param shares Shares the owner may still redeem in the window (never more than its balance).
    /// @param unlockTime First second at which the shares can be redeemed.
    /// @param windowEnd Last second at which the shares can be redeemed.
    struct WithdrawRequest {
        uint256 shares;
        uint64 unlockTime;
        uint64 windowEnd;
    }

    /// @notice `owner` asked to redeem `shares` between `unlockTime` and `windowEnd` (inclusive).
    event WithdrawRequested(address indexed owner, uint256 shares, uint256 unlockTime, uint256 windowEnd);

    /// @notice `owner` dropped its pending request.
    event WithdrawCancelled(address indexed owner);

    /// @notice Governance changed the cooldown and the window of future requests.
    event CooldownSet(uint32 cooldown, uint32 window);

    /// @notice The owner's cooldown runs until `unlockTime`.
    error CooldownNotOver(uint256 unlockTime);

    /// @notice The owner's withdrawal window closed at `windowEnd`; a new request is needed.
    error WithdrawWindowClosed(uint256 windowEnd);

    /// @notice The withdrawal needs `shares` but only `requested` remain in the owner's request.
    error ExceedsRequestedShares(uint256 requested, uint256 shares);

    /// @notice The owner has no pending request.
    error NoWithdrawRequest();

    /// @notice A request must name at least one share.
    error ZeroShares();

    /// @notice A request cannot name more shares than the caller holds.
    error RequestExceedsBalance(uint256 balance, uint256 shares);

    /// @notice `cooldown` is outside [`min`, `max`] seconds.
    error CooldownOutOfBounds(uint32 cooldown, uint32 min, uint32 max);

    /// @notice `window` is outside [`min`, `max`] seconds.
    error WindowOutOfBounds(uint32 window, uint32 min, uint32 max);

    /// @notice The admin of the pool's access control cannot be the zero address.
    error ZeroAdmin();

    /// @notice Starts the cooldown for `shares` of the caller's shares, replacing any earlier request.
    /// @dev The new request restarts the cooldown from now, with the cooldown and window in force now.
    /// @param shares Shares to redeem later, 0 < shares ≤ balance.
    /// @return unlockTime First second the shares can be redeemed.
    /// @return windowEnd Last second the shares can be redeemed.
    function requestWithdraw(uint256 shares) external returns (uint256 unlockTime, uint256 windowEnd);

    /// @notice Drops the caller's pending request.
    function cancelWithdraw() external;

    /// @notice Sets the cooldown and the window for requests made from now on; pending requests keep theirs.
    /// @dev Only DEFAULT_ADMIN_ROLE. cooldown ∈ [1 hour, 30 days], window ∈ [1 hour, 7 days].
    function setCooldown(uint32 cooldown, uint32 window) external;

    /// @notice The pending request of `owner` (all zero when none).
    function withdrawRequest(address owner) external view returns (WithdrawRequest memory);

    /// @notice Seconds between a request and the start of its window.
    function cooldown() external view returns (uint32);

    /// @notice Length in seconds of the withdrawal window.
    function window() external view returns (uint32);

    /// @notice Insurance assets over the open-interest notional (long + short, at mark) of every market, WAD;
    /// type(uint256).max when nothing is open. Reads every market's price.
    function coverageRatio() external view returns (uint256 ratioWad);
}
