// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;
import {Smoke} from "../../contracts/mocks/Smoke.sol";
contract SmokeTest { function testOne(uint256 x) external { require(new Smoke().one() + (x % 2) >= 1, "bad"); } }
