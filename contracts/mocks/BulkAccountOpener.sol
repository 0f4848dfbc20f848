// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBallastCore} from "../interfaces/IBallastCore.sol";
import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {MockERC20} from "./MockERC20.sol";

/// @title BulkAccountOpener
/// @notice LOCAL USE ONLY (keeper benchmarks): opens many funded accounts, each with one or two positions, in one
/// transaction. It mints the collateral itself (MockERC20 lets anyone mint) and owns every account it opens.
contract BulkAccountOpener {
    /// @notice One account: cross or isolated, its collateral (token units) and up to two market orders.
    struct AccountSpec {
        bool isolated;
        uint8 marketId;
        int128 sizeDelta;
        uint8 secondMarketId;
        int128 secondSizeDelta; // 0: no second position (cross accounts only)
        uint128 assets;
    }

    IBallastCore public immutable CORE;
    MockERC20 public immutable TOKEN;
    IOrderBook public immutable ORDERS;

    /// @param core The Ballast core.
    /// @param token Its collateral, a MockERC20.
    /// @param orders The order book: positions open through committed orders, settled by `settleOpened`.
    constructor(IBallastCore core, MockERC20 token, IOrderBook orders) {
        CORE = core;
        TOKEN = token;
        ORDERS = orders;
        token.approve(address(core), type(uint256).max);
        token.approve(address(orders), type(uint256).max);
    }

    /// @notice Settles the orders `open` committed for `count` accounts from `firstAccountId`, each market with
    /// `updates[marketId]` (all of them were committed in one block, so one price update per market serves all).
    function settleOpened(uint256 firstAccountId, uint256 count, uint256 marketCount, bytes[][] calldata updates)
        external
        payable
    {
        for (uint256 a = firstAccountId; a < firstAccountId + count; ++a) {
            for (uint256 m; m < marketCount; ++m) {
                if (ORDERS.getOrder(a, m).sizeDelta != 0) {
                    ORDERS.settle{value: ORDERS.pyth().getUpdateFee(updates[m])}(a, m, updates[m]);
                }
            }
        }
    }

    receive() external payable {}

    /// @notice Opens `specs.length` accounts. `acceptablePrices[m]` bounds the fill in market `m` (a buy's maximum;
    /// sells pass 0). Reverts if any account cannot be opened (e.g. below initial margin).
    /// @return firstAccountId The id of the first account opened; the others follow consecutively.
    function open(AccountSpec[] calldata specs, uint256[] calldata acceptablePrices)
        external
        returns (uint256 firstAccountId)
    {
        uint256 total;
        for (uint256 i; i < specs.length; ++i) {
            total += specs[i].assets;
        }
        uint256 escrow = ORDERS.feeUnit() * ORDERS.orderParams().settlementFeeUnits;
        TOKEN.mint(address(this), total + specs.length * 2 * escrow); // up to two orders per account
        for (uint256 i; i < specs.length; ++i) {
            AccountSpec calldata spec = specs[i];
            uint256 accountId = CORE.createAccount(spec.isolated, spec.marketId);
            if (i == 0) firstAccountId = accountId;
            CORE.deposit(accountId, spec.assets);
            _trade(accountId, spec.marketId, spec.sizeDelta, acceptablePrices);
            if (spec.secondSizeDelta != 0) {
                _trade(accountId, spec.secondMarketId, spec.secondSizeDelta, acceptablePrices);
            }
        }
    }

    function _trade(uint256 accountId, uint256 marketId, int256 sizeDelta, uint256[] calldata acceptablePrices)
        private
    {
        ORDERS.commitOrder(accountId, marketId, sizeDelta, sizeDelta > 0 ? acceptablePrices[marketId] : 0, 0);
    }
}
