// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title BallastTimelock
/// @notice OpenZeppelin's `TimelockController`, unchanged, under a project name so that it has an artifact to
/// deploy. On every network but a local one it holds all admin roles of the core, the oracle adapter and the
/// insurance pool (see `ignition/modules/Timelock.ts`): every parameter change waits `minDelay` in public.
contract BallastTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling and executing an operation.
    /// @param proposers Who may schedule (and cancel) operations: a multisig in production.
    /// @param executors Who may execute ready operations; `address(0)` lets anyone execute.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
