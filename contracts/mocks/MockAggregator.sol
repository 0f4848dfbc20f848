// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title MockAggregator
/// @notice A Chainlink-style price feed (or sequencer-uptime feed: answer 0 = up, 1 = down) for LOCAL USE ONLY:
/// tests, local nodes and demos.
/// @dev Warning: ANYONE can call the setters and write any answer. Never deploy it where it could back real funds.
/// Unlike some real aggregators, `getRoundData` returns zeros for a round that was never written.
contract MockAggregator is AggregatorV3Interface {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint80 answeredInRound;
    }

    /// @notice Emitted on every write, as Chainlink aggregators do.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @inheritdoc AggregatorV3Interface
    uint8 public immutable decimals;
    /// @inheritdoc AggregatorV3Interface
    string public description;
    /// @notice Id of the latest round.
    uint80 public latestRound;

    mapping(uint80 roundId => Round) internal _rounds;

    /// @param decimals_ Decimals of every answer.
    /// @param initialAnswer Answer of round 1, written at the deployment timestamp.
    /// @param description_ Feed name, e.g. "BTC / USD".
    constructor(uint8 decimals_, int256 initialAnswer, string memory description_) {
        decimals = decimals_;
        description = description_;
        setAnswer(initialAnswer);
    }

    /// @notice Opens the next round with `answer`, started and updated now.
    /// @dev Anyone may call (mock). For an uptime feed, this makes now the time the status last changed.
    function setAnswer(int256 answer) public {
        uint80 roundId = latestRound + 1;
        _write(roundId, Round(answer, block.timestamp, block.timestamp, roundId));
    }

    /// @notice Writes round `roundId` exactly as given and makes it the latest, e.g. to fake a stale,
    /// future-dated or never-updated (`updatedAt` = 0) answer.
    /// @dev Anyone may call (mock). `roundId` may go backwards.
    function setRoundData(
        uint80 roundId,
        int256 answer,
        uint256 startedAt,
        uint256 updatedAt,
        uint80 answeredInRound
    ) external {
        _write(roundId, Round(answer, startedAt, updatedAt, answeredInRound));
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 4;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(
        uint80 _roundId
    )
        public
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Round memory round = _rounds[_roundId];
        return (_roundId, round.answer, round.startedAt, round.updatedAt, round.answeredInRound);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return getRoundData(latestRound);
    }

    function _write(uint80 roundId, Round memory round) internal {
        latestRound = roundId;
        _rounds[roundId] = round;
        emit AnswerUpdated(round.answer, roundId, round.updatedAt);
    }
}
