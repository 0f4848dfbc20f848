// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AbstractPyth} from "@pythnetwork/pyth-sdk-solidity/AbstractPyth.sol";
import {PythErrors} from "@pythnetwork/pyth-sdk-solidity/PythErrors.sol";
import {PythStructs} from "@pythnetwork/pyth-sdk-solidity/PythStructs.sol";

/// @title MockPythUnique
/// @notice LOCAL NETWORKS AND TESTS ONLY. A Pyth mock that reads `MockPyth.createPriceFeedUpdateData`'s encoding,
/// `abi.encode(PythStructs.PriceFeed, uint64 prevPublishTime)`, and, unlike `MockPyth` 4.3.1, enforces what the real
/// Pyth contract does on the parse path: `parsePriceFeedUpdatesUnique` accepts an update only if it is the first at
/// or after `minPublishTime` (prevPublishTime < minPublishTime), and parsing does not store the update (so settlement
/// gas is not inflated by the mock's own storage writes). Update data is not signed: anyone can forge it, which is
/// why this contract is for local use only.
contract MockPythUnique is AbstractPyth {
    mapping(bytes32 id => PythStructs.PriceFeed) internal feeds;
    uint256 internal immutable VALID_TIME_PERIOD;
    uint256 internal immutable FEE_PER_UPDATE;

    constructor(uint256 validTimePeriod, uint256 feePerUpdateWei) {
        VALID_TIME_PERIOD = validTimePeriod;
        FEE_PER_UPDATE = feePerUpdateWei;
    }

    function queryPriceFeed(bytes32 id) public view override returns (PythStructs.PriceFeed memory feed) {
        feed = feeds[id];
        if (feed.id == 0) revert PythErrors.PriceFeedNotFound();
    }

    function priceFeedExists(bytes32 id) public view override returns (bool) {
        return feeds[id].id != 0;
    }

    function getValidTimePeriod() public view override returns (uint256) {
        return VALID_TIME_PERIOD;
    }

    function getUpdateFee(bytes[] calldata updateData) public view override returns (uint256) {
        return FEE_PER_UPDATE * updateData.length;
    }

    function getTwapUpdateFee(bytes[] calldata updateData) public view override returns (uint256) {
        return FEE_PER_UPDATE * updateData.length;
    }

    function updatePriceFeeds(bytes[] calldata updateData) public payable override {
        if (msg.value < getUpdateFee(updateData)) revert PythErrors.InsufficientFee();
        for (uint256 i; i < updateData.length; ++i) {
            (PythStructs.PriceFeed memory feed, ) = abi.decode(updateData[i], (PythStructs.PriceFeed, uint64));
            if (feeds[feed.id].price.publishTime < feed.price.publishTime) {
                feeds[feed.id] = feed;
                emit PriceFeedUpdate(feed.id, uint64(feed.price.publishTime), feed.price.price, feed.price.conf);
            }
        }
    }

    function parsePriceFeedUpdates(
        bytes[] calldata updateData,
        bytes32[] calldata priceIds,
        uint64 minPublishTime,
        uint64 maxPublishTime
    ) external payable override returns (PythStructs.PriceFeed[] memory) {
        return _parse(updateData, priceIds, minPublishTime, maxPublishTime, false);
    }

    function parsePriceFeedUpdatesUnique(
        bytes[] calldata updateData,
        bytes32[] calldata priceIds,
        uint64 minPublishTime,
        uint64 maxPublishTime
    ) external payable override returns (PythStructs.PriceFeed[] memory) {
        return _parse(updateData, priceIds, minPublishTime, maxPublishTime, true);
    }

    function parsePriceFeedUpdatesWithConfig(
        bytes[] calldata updateData,
        bytes32[] calldata priceIds,
        uint64 minAllowedPublishTime,
        uint64 maxAllowedPublishTime,
        bool checkUniqueness,
        bool,
        bool
    ) external payable returns (PythStructs.PriceFeed[] memory parsed, uint64[] memory slots) {
        parsed = _parse(updateData, priceIds, minAllowedPublishTime, maxAllowedPublishTime, checkUniqueness);
        slots = new uint64[](parsed.length);
        for (uint256 i; i < parsed.length; ++i) {
            slots[i] = uint64(parsed[i].price.publishTime);
        }
    }

    function parseTwapPriceFeedUpdates(
        bytes[] calldata,
        bytes32[] calldata
    ) external payable override returns (PythStructs.TwapPriceFeed[] memory) {
        revert PythErrors.InvalidArgument();
    }

    /// @notice The update data of one price, in MockPyth's encoding (the local price service builds the same bytes).
    function createPriceFeedUpdateData(
        bytes32 id,
        int64 price,
        uint64 conf,
        int32 expo,
        int64 emaPrice,
        uint64 emaConf,
        uint64 publishTime,
        uint64 prevPublishTime
    ) external pure returns (bytes memory) {
        PythStructs.PriceFeed memory feed;
        feed.id = id;
        feed.price = PythStructs.Price(price, conf, expo, publishTime);
        feed.emaPrice = PythStructs.Price(emaPrice, emaConf, expo, publishTime);
        return abi.encode(feed, prevPublishTime);
    }

    function _parse(
        bytes[] calldata updateData,
        bytes32[] calldata priceIds,
        uint64 minPublishTime,
        uint64 maxPublishTime,
        bool unique
    ) internal returns (PythStructs.PriceFeed[] memory parsed) {
        if (msg.value < getUpdateFee(updateData)) revert PythErrors.InsufficientFee();
        parsed = new PythStructs.PriceFeed[](priceIds.length);
        for (uint256 i; i < priceIds.length; ++i) {
            bool found;
            for (uint256 j; j < updateData.length && !found; ++j) {
                (PythStructs.PriceFeed memory feed, uint64 prevPublishTime) = abi.decode(
                    updateData[j],
                    (PythStructs.PriceFeed, uint64)
                );
                uint256 publishTime = feed.price.publishTime;
                if (
                    feed.id == priceIds[i] &&
                    minPublishTime <= publishTime &&
                    publishTime <= maxPublishTime &&
                    (!unique || prevPublishTime < minPublishTime)
                ) {
                    parsed[i] = feed;
                    found = true;
                }
            }
            if (!found) revert PythErrors.PriceFeedNotFoundWithinRange();
        }
    }
}
