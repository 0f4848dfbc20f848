// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOrderBook} from "../interfaces/IOrderBook.sol";

/// @title SettleAndProbe
/// @notice TESTS ONLY: settles an order and, in the same transaction, reads an account's equity through the core, so
/// a test can check that the core priced the market at the settlement price (one price per market per transaction),
/// then tries a second settlement of the same market at another price.
contract SettleAndProbe {
    int256 public equityAfterSettle;
    bool public secondSettled;
    bytes public secondError;

    function settleThenProbe(
        IOrderBook book,
        uint256 accountId,
        uint256 marketId,
        bytes[] calldata update,
        uint256 probeAccountId,
        uint256 secondAccountId,
        bytes[] calldata secondUpdate
    ) external payable {
        book.settle{value: 1}(accountId, marketId, update);
        equityAfterSettle = book.core().accountHealth(probeAccountId).equity;
        if (secondAccountId == 0) return;
        try book.settle{value: 1}(secondAccountId, marketId, secondUpdate) {
            secondSettled = true;
        } catch (bytes memory reason) {
            secondError = reason;
        }
    }

    receive() external payable {}
}
