// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginTiers} from "../libraries/MarginTiers.sol";

/// @title AdvMathHarness
/// @notice TESTS ONLY: exposes the library branches that the core, by construction, never reaches (a ramp's
/// interpolation at its edges), so that they are exercised and measured.
contract AdvMathHarness {
    function interpolate(uint256 fromRequirement, uint256 toRequirement, uint256 elapsed, uint256 duration)
        external
        pure
        returns (uint256)
    {
        return MarginTiers.interpolate(fromRequirement, toRequirement, elapsed, duration);
    }
}
