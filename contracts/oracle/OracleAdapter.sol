// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @title OracleAdapter
/// @notice Guarded Chainlink-style prices for the Ballast core, normalised to WAD.
/// @dev See `IOracleAdapter` for the guards, the rounding and the assumptions about aggregators.
contract OracleAdapter is IOracleAdapter, AccessControl {
    /// @inheritdoc IOracleAdapter
    bytes32 public constant ORACLE_ADMIN_ROLE = keccak256("ORACLE_ADMIN_ROLE");

    /// @notice Longest accepted feed heartbeat. Chainlink's slowest USD feeds update once a day.
    uint256 public constant MAX_HEARTBEAT = 7 days;
    /// @notice Longest accepted sequencer grace period (Chainlink recommends one hour).
    uint256 public constant MAX_GRACE_PERIOD = 1 days;
    /// @notice Largest accepted price bound, WAD. Keeps downstream `size × price` products far from overflow.
    uint256 public constant MAX_PRICE_WAD = 1e36;
    /// @notice Most decimals an aggregator may report; 10^36 fits easily in a uint256.
    uint8 public constant MAX_DECIMALS = 36;

    uint8 internal constant WAD_DECIMALS = 18;

    mapping(bytes32 feedId => FeedConfig) internal _feeds;

    /// @inheritdoc IOracleAdapter
    AggregatorV3Interface public sequencerUptimeFeed;
    /// @inheritdoc IOracleAdapter
    uint32 public sequencerGracePeriod;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (manages roles) and ORACLE_ADMIN_ROLE (configures feeds).
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ORACLE_ADMIN_ROLE, admin);
    }

    /* CONFIGURATION */

    /// @inheritdoc IOracleAdapter
    function setFeed(
        bytes32 feedId,
        AggregatorV3Interface aggregator,
        uint32 heartbeat,
        uint256 minPriceWad,
        uint256 maxPriceWad
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (address(aggregator) == address(0)) revert ZeroAddress();
        if (heartbeat == 0 || heartbeat > MAX_HEARTBEAT) revert InvalidHeartbeat(heartbeat, MAX_HEARTBEAT);
        if (minPriceWad == 0 || minPriceWad >= maxPriceWad || maxPriceWad > MAX_PRICE_WAD) {
            revert InvalidPriceBounds(minPriceWad, maxPriceWad);
        }
        // Cached: Chainlink aggregators never change decimals, and getPrice saves a call.
        uint8 decimals = aggregator.decimals();
        if (decimals > MAX_DECIMALS) revert UnsupportedDecimals(decimals);

        // Casts are safe: both bounds are ≤ MAX_PRICE_WAD = 1e36 < 2^128 (two slots per feed instead of three).
        _feeds[feedId] = FeedConfig(aggregator, heartbeat, decimals, uint128(minPriceWad), uint128(maxPriceWad));

        emit FeedSet(feedId, aggregator, heartbeat, decimals, minPriceWad, maxPriceWad);
    }

    /// @inheritdoc IOracleAdapter
    function removeFeed(bytes32 feedId) external onlyRole(ORACLE_ADMIN_ROLE) {
        // Reverting on an unknown id catches a mistyped id before anyone believes it was removed.
        if (address(_feeds[feedId].aggregator) == address(0)) revert FeedNotConfigured(feedId);

        delete _feeds[feedId];

        emit FeedRemoved(feedId);
    }

    /// @inheritdoc IOracleAdapter
    function setSequencerUptimeFeed(
        AggregatorV3Interface feed,
        uint32 gracePeriod
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (gracePeriod > MAX_GRACE_PERIOD) revert InvalidGracePeriod(gracePeriod, MAX_GRACE_PERIOD);

        sequencerUptimeFeed = feed;
        sequencerGracePeriod = gracePeriod;

        emit SequencerUptimeFeedSet(feed, gracePeriod);
    }

    /* VIEWS */

    /// @inheritdoc IPriceOracle
    function getPrice(bytes32 feedId) external view returns (uint256 priceWad) {
        _checkSequencer();

        FeedConfig memory feed = _feeds[feedId];
        if (address(feed.aggregator) == address(0)) revert FeedNotConfigured(feedId);

        (, int256 answer, , uint256 updatedAt, ) = feed.aggregator.latestRoundData();
        if (answer <= 0) revert InvalidAnswer(feedId, answer);
        // `updatedAt > block.timestamp` is checked first so that the subtraction cannot underflow.
        if (updatedAt == 0 || updatedAt > block.timestamp || block.timestamp - updatedAt > feed.heartbeat) {
            revert StalePrice(feedId, updatedAt, feed.heartbeat);
        }

        // The cast is safe: answer > 0.
        priceWad = _toWadDown(uint256(answer), feed.decimals);
        if (priceWad < feed.minPriceWad || priceWad > feed.maxPriceWad) {
            revert PriceOutOfBounds(feedId, priceWad, feed.minPriceWad, feed.maxPriceWad);
        }
    }

    /// @inheritdoc IOracleAdapter
    function tryGetPrice(bytes32 feedId) external view returns (bool ok, uint256 priceWad) {
        // A self-call shares every guard with getPrice, and its catch also covers aggregators that revert
        // or return malformed data, which an internal call could not catch.
        try this.getPrice(feedId) returns (uint256 price) {
            return (true, price);
        } catch {
            return (false, 0);
        }
    }

    /// @inheritdoc IOracleAdapter
    function feedConfig(bytes32 feedId) external view returns (FeedConfig memory) {
        return _feeds[feedId];
    }

    /* INTERNAL */

    /// @dev Reverts unless the sequencer-uptime feed (if set) reports "up" for at least the grace period.
    function _checkSequencer() internal view {
        AggregatorV3Interface feed = sequencerUptimeFeed;
        if (address(feed) == address(0)) return;

        (, int256 answer, uint256 startedAt, , ) = feed.latestRoundData();
        // startedAt == 0 marks an uninitialised status round (seen on Arbitrum): the status is unknown,
        // so it is treated as down.
        if (answer != 0 || startedAt == 0) revert SequencerDown();
        // Written as a difference so that a huge or future `startedAt` cannot overflow; a future one is not over.
        uint256 gracePeriod = sequencerGracePeriod;
        if (startedAt > block.timestamp || block.timestamp - startedAt < gracePeriod) {
            revert SequencerGracePeriodNotOver(startedAt, gracePeriod);
        }
    }

    /// @dev `answer` with `decimals` decimals as WAD, rounded DOWN when `decimals` > 18.
    /// Scaling up saturates at type(uint256).max instead of overflowing: any result above
    /// MAX_PRICE_WAD is rejected by the bounds check anyway, so an absurd answer reverts with
    /// `PriceOutOfBounds` rather than a panic. Exact for every result ≤ 1e36.
    function _toWadDown(uint256 answer, uint8 decimals) internal pure returns (uint256) {
        if (decimals <= WAD_DECIMALS) return Math.saturatingMul(answer, 10 ** (WAD_DECIMALS - decimals));
        return answer / 10 ** (decimals - WAD_DECIMALS);
    }
}
