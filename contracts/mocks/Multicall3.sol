// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Multicall3 (aggregate3 only)
/// @notice LOCAL USE ONLY: public chains have the canonical Multicall3; local networks need one for viem's
/// `multicall`. Implements just `aggregate3`, the call viem makes.
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    error CallFailed(uint256 index);

    /// @notice Runs each call in order; reverts on a failed call unless `allowFailure` is set for it.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory returnData) = calls[i].target.call(calls[i].callData);
            if (!success && !calls[i].allowFailure) revert CallFailed(i);
            results[i] = Result(success, returnData);
        }
    }
}
