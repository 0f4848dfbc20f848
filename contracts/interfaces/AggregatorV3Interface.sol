// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AggregatorV3Interface
/// @notice The read interface of a Chainlink price feed (and of Chainlink's L2 sequencer-uptime feeds).
/// @dev Written from Chainlink's published ABI so that Ballast needs no Chainlink package.
/// An answer is scaled by `10 ** decimals()`. `updatedAt` is when the answer was last written;
/// for sequencer-uptime feeds `answer` is 0 (up) or 1 (down) and `startedAt` is when that status began.
interface AggregatorV3Interface {
    /// @notice Number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable name of the feed, e.g. "BTC / USD".
    function description() external view returns (string memory);

    /// @notice Version of the aggregator contract.
    function version() external view returns (uint256);

    /// @notice The data of round `_roundId`.
    function getRoundData(
        uint80 _roundId
    )
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The data of the latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
