// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;
contract Smoke { function one() external pure returns (uint256) { return 1; } }
