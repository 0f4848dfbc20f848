// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SettlementPrice
/// @notice The one-price rule of DESIGN §7 in transient storage: the price an order settled a market at, for the
/// rest of the transaction. The core writes it when the order book settles an order; `StateLogic.priceOf` reads it
/// before the oracle adapter, so every later read of that market in the same transaction (the rest of the account's
/// risk, a liquidation bundled after the settlement, a withdrawal) uses the same price.
/// @dev Transient storage (EIP-1153) is per contract and per transaction: the core and the libraries it
/// DELEGATECALLs see the same slots. Slot = BASE + marketId, with BASE = keccak256("ballast.settlementPrice") − 1 so
/// that no Solidity-allocated slot can collide. Prices are WAD USD per base unit; 0 means "not set".
library SettlementPrice {
    uint256 internal constant BASE = 0x26779e361e9f5d5d2f6c8a512c114f7bfcff907ee91f037ecf93a7204191158d;

    /// @notice The settlement price of `marketId` in this transaction, or 0.
    function get(uint256 marketId) internal view returns (uint256 price) {
        uint256 slot = BASE + marketId;
        assembly ("memory-safe") {
            price := tload(slot)
        }
    }

    /// @notice Records `price` as `marketId`'s price for the rest of the transaction.
    function set(uint256 marketId, uint256 price) internal {
        uint256 slot = BASE + marketId;
        assembly ("memory-safe") {
            tstore(slot, price)
        }
    }
}
