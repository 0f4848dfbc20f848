// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IBallastErrors} from "./IBallastErrors.sol";
import {IPriceOracle} from "./IPriceOracle.sol";

/// @title IOracleAdapter
/// @notice Chainlink-style feeds behind the guards of `IPriceOracle`: answer > 0, fresh within a per-feed
/// heartbeat, within per-feed bounds, and (optionally) an L2 sequencer that is up and past its grace period.
/// @dev Price scale: WAD (1e18) USD per 1 whole unit of the base asset. An answer with d decimals is
/// normalised to 18 decimals: multiplied by 10^(18-d) when d ≤ 18 (exact), divided by 10^(d-18) and
/// rounded DOWN when d > 18 (at most 1 wei of WAD lost, which is below any feed's precision).
/// Assumptions about each configured aggregator (checked by the admin, not on chain):
/// - it is a genuine Chainlink-style feed that does not revert on reads and whose `decimals()` never changes;
/// - its `updatedAt` is refreshed at least every `heartbeat` seconds (the feed's own heartbeat);
/// - `minPriceWad`/`maxPriceWad` are set inside the aggregator's own min/max answers, so that a
///   circuit-breaker answer pinned at the aggregator's bound is rejected rather than used.
/// Warning: `answeredInRound` is not checked; Chainlink has deprecated it and `updatedAt` covers staleness.
interface IOracleAdapter is IPriceOracle, IBallastErrors {
    /// @notice Configuration of one feed. `aggregator == 0` means "not configured".
    /// @dev The first three fields share one storage slot.
    struct FeedConfig {
        AggregatorV3Interface aggregator;
        /// @dev Seconds an answer stays usable after its `updatedAt`.
        uint32 heartbeat;
        /// @dev `aggregator.decimals()`, cached when the feed is set.
        uint8 decimals;
        /// @dev Smallest accepted price, WAD, inclusive.
        uint128 minPriceWad;
        /// @dev Largest accepted price, WAD, inclusive.
        uint128 maxPriceWad;
    }

    /* ERRORS: price reads */

    /// @notice The L2 sequencer is reported down (or its status round is not initialised).
    error SequencerDown();

    /// @notice The L2 sequencer came back up at `upSince`, less than `gracePeriod` seconds ago.
    error SequencerGracePeriodNotOver(uint256 upSince, uint256 gracePeriod);

    /// @notice No aggregator is configured for `feedId`.
    error FeedNotConfigured(bytes32 feedId);

    /// @notice The aggregator answered `answer` ≤ 0.
    error InvalidAnswer(bytes32 feedId, int256 answer);

    /// @notice The answer was updated at `updatedAt`, which is unset, in the future, or more than `heartbeat` seconds ago.
    error StalePrice(bytes32 feedId, uint256 updatedAt, uint256 heartbeat);

    /// @notice The normalised price `priceWad` is outside [`minPriceWad`, `maxPriceWad`].
    error PriceOutOfBounds(bytes32 feedId, uint256 priceWad, uint256 minPriceWad, uint256 maxPriceWad);

    /* ERRORS: configuration */

    /// @notice `heartbeat` is 0 or above `maxHeartbeat`.
    error InvalidHeartbeat(uint256 heartbeat, uint256 maxHeartbeat);

    /// @notice The bounds do not satisfy 0 < `minPriceWad` < `maxPriceWad` ≤ `MAX_PRICE_WAD`.
    error InvalidPriceBounds(uint256 minPriceWad, uint256 maxPriceWad);

    /// @notice `gracePeriod` is above `maxGracePeriod`.
    error InvalidGracePeriod(uint256 gracePeriod, uint256 maxGracePeriod);

    /* EVENTS */

    /// @notice `feedId` now reads `aggregator` with these guards (added or replaced).
    event FeedSet(
        bytes32 indexed feedId,
        AggregatorV3Interface indexed aggregator,
        uint32 heartbeat,
        uint8 decimals,
        uint256 minPriceWad,
        uint256 maxPriceWad
    );

    /// @notice `feedId` is no longer configured; `getPrice(feedId)` now reverts.
    event FeedRemoved(bytes32 indexed feedId);

    /// @notice The sequencer-uptime feed is now `feed` (zero = check disabled) with `gracePeriod` seconds.
    event SequencerUptimeFeedSet(AggregatorV3Interface indexed feed, uint32 gracePeriod);

    /* CONFIGURATION (ORACLE_ADMIN_ROLE) */

    /// @notice Role allowed to configure feeds and the sequencer-uptime feed.
    function ORACLE_ADMIN_ROLE() external view returns (bytes32);

    /// @notice Adds or replaces the feed `feedId` (e.g. `keccak256("BTC/USD")`).
    /// @dev Only ORACLE_ADMIN_ROLE. Requires `aggregator` ≠ 0, 0 < `heartbeat` ≤ 7 days,
    /// 0 < `minPriceWad` < `maxPriceWad` ≤ 1e36 and `aggregator.decimals()` ≤ 36 (cached).
    /// Warning: replacing a feed takes effect at once for every market that reads `feedId`.
    /// @param feedId Id the core uses for the market's price.
    /// @param aggregator The Chainlink-style feed to read.
    /// @param heartbeat Seconds after `updatedAt` during which an answer is accepted.
    /// @param minPriceWad Smallest accepted price, WAD, inclusive.
    /// @param maxPriceWad Largest accepted price, WAD, inclusive.
    function setFeed(
        bytes32 feedId,
        AggregatorV3Interface aggregator,
        uint32 heartbeat,
        uint256 minPriceWad,
        uint256 maxPriceWad
    ) external;

    /// @notice Removes the feed `feedId`. Only ORACLE_ADMIN_ROLE. Reverts with `FeedNotConfigured` if it is not set.
    /// Warning: every market that reads `feedId` is blocked until it is set again.
    function removeFeed(bytes32 feedId) external;

    /// @notice Sets the L2 sequencer-uptime feed (`address(0)` disables the check) and its grace period.
    /// @dev Only ORACLE_ADMIN_ROLE. Requires `gracePeriod` ≤ 1 day. Prices are refused while the sequencer
    /// is down and for `gracePeriod` seconds after it comes back up, so that users can add margin first.
    function setSequencerUptimeFeed(AggregatorV3Interface feed, uint32 gracePeriod) external;

    /* VIEWS */

    /// @notice The configuration of `feedId` (all zero if not configured).
    function feedConfig(bytes32 feedId) external view returns (FeedConfig memory);

    /// @notice The sequencer-uptime feed, or `address(0)` if the check is disabled.
    function sequencerUptimeFeed() external view returns (AggregatorV3Interface);

    /// @notice Seconds after the sequencer comes back up during which prices are refused.
    function sequencerGracePeriod() external view returns (uint32);

    /// @notice `getPrice(feedId)` that returns `(false, 0)` instead of reverting, whatever the cause.
    /// @dev For keepers and frontends only. Warning: the core must use `getPrice`, never this.
    /// @return ok False where `getPrice` would revert (including an aggregator that reverts or returns garbage).
    /// @return priceWad As `getPrice` when `ok`, else 0.
    function tryGetPrice(bytes32 feedId) external view returns (bool ok, uint256 priceWad);
}
