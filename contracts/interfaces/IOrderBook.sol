// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPyth} from "@pythnetwork/pyth-sdk-solidity/IPyth.sol";

import {IBallastCore} from "./IBallastCore.sol";

/// @notice A pending order, packed into one storage slot (96 + 96 + 32 + 16 + 16 bits).
/// @dev `sizeDelta` ≠ 0 marks a pending order. After settlement or cancellation the slot keeps `settleTime` (a
/// tombstone), so the account's next order in that market rewrites a non-zero slot (5,000 gas, not 22,100).
struct Order {
    int96 sizeDelta; // signed WAD base units; CLOSE_ALL (type(int96).min) closes the whole position at settlement
    uint96 acceptablePrice; // WAD USD; type(uint96).max means "no bound" for a buy
    uint32 settleTime; // commit time + the minimum delay: the earliest publish time of the settlement price
    uint16 window; // seconds after settleTime during which the order can settle; expiry = settleTime + window
    uint16 escrowUnits; // the escrowed settlement fee, in FEE_UNIT token units (a cent of a USD token)
}

/// @notice Order-book parameters (one slot), set by governance within bounds.
struct OrderParams {
    uint32 minDelay; // seconds between commit and the earliest settlement price
    uint16 defaultWindow; // seconds an order can settle for, when its committer names no expiry
    uint16 maxWindow; // the longest settlement window an order may ask for
    uint16 settlementFeeUnits; // escrowed at commit, paid to whoever settles (FEE_UNIT token units)
    uint64 cancelRewardShare; // WAD share of the escrow paid to a third party cancelling an expired order
}

/// @notice How a market's settlement price is verified (one slot plus the feed id).
struct OrderMarket {
    bytes32 pythFeedId; // the Pyth price feed of the market; 0 = the market takes no orders
    uint64 maxConfidenceRatio; // WAD: conf / price at most this, else the price is refused
}

/// @notice What a keeper passes to settle one order of a batch.
struct SettleRequest {
    uint256 accountId;
    uint256 marketId;
    bytes[] priceUpdate; // Pyth update data whose publish time is the first at or after the order's settleTime
}

/// @title IOrderBook
/// @notice Asynchronous orders (DESIGN §4, §7): the owner or an operator of an account commits an order, escrowing
/// a settlement fee; anyone settles it after a minimum delay at the first pull-oracle (Pyth) price published at or
/// after commit time + delay, before its expiry; checks (margin, caps, pause, slippage) run at settlement at that
/// price, and a failed check cancels the order with its reason instead of reverting the settler's transaction;
/// after expiry anyone cancels it and the escrow goes back. One pending order per account and market.
/// @dev Units as in `IBallastCore`: prices WAD USD per base unit, sizes signed WAD base units; fees in collateral
/// token units. Warning: an order committed by an operator stays valid if the owner later revokes the operator;
/// nobody can cancel an order before its expiry (that would be a free option on the settlement price).
interface IOrderBook {
    // ---------------------------------------------------------------- errors

    /// @notice Account `accountId` already has a pending order in `marketId` (one per account and market).
    error OrderPending(uint256 accountId, uint256 marketId);
    /// @notice Account `accountId` has no pending order in `marketId`.
    error NoPendingOrder(uint256 accountId, uint256 marketId);
    /// @notice The order cannot settle before `settleTime` (its commit time plus the minimum delay).
    error OrderNotSettleableYet(uint256 settleTime, uint256 timestamp);
    /// @notice The order expired at `expiry`: it can only be cancelled.
    error OrderExpired(uint256 expiry, uint256 timestamp);
    /// @notice The order has not expired yet (at `expiry`): it cannot be cancelled before.
    error OrderNotExpired(uint256 expiry, uint256 timestamp);
    /// @notice The expiry asked for is outside [settleTime + 1, settleTime + maxWindow].
    error InvalidExpiry(uint256 expiry, uint256 minExpiry, uint256 maxExpiry);
    /// @notice The size delta does not fit the packed order (|sizeDelta| < 2^95).
    error InvalidSizeDelta(int256 sizeDelta);
    /// @notice Market `marketId` takes no orders (no price feed configured).
    error MarketNotConfigured(uint256 marketId);
    /// @notice The update's price is not positive.
    error InvalidSettlementPrice(int256 price, int256 expo);
    /// @notice The update's exponent is outside [-36, 12].
    error InvalidExponent(int256 expo);
    /// @notice The update's confidence interval is too wide: conf / price = `ratio` > `maxRatio` (WAD).
    error ConfidenceTooWide(uint256 ratio, uint256 maxRatio);
    /// @notice `marketId` already settled at `settledPrice` in this transaction; one price per market per
    /// transaction (a keeper batches orders of one market only when they share one price update).
    error PriceConflict(uint256 marketId, uint256 settledPrice, uint256 price);
    /// @notice The settlement call ran out of gas: the settler gave too little (the order stays pending).
    error SettlementOutOfGas();
    /// @notice The value sent does not cover the oracle's update fee.
    error InsufficientUpdateFee(uint256 sent, uint256 fee);
    /// @notice Paying back the unused oracle fee failed.
    error RefundFailed(address to, uint256 amount);
    /// @notice A batch settlement was given no orders.
    error EmptyBatch();

    // ---------------------------------------------------------------- events

    /// @notice `sender` committed an order for `accountId` in `marketId`; it settles at the first price published in
    /// [`settleTime`, `expiry`]. `sizeDelta` is CLOSE_ALL for a close. `escrow` in token units.
    event OrderCommitted(
        uint256 indexed accountId,
        uint256 indexed marketId,
        address indexed sender,
        int256 sizeDelta,
        uint256 acceptablePrice,
        uint256 settleTime,
        uint256 expiry,
        uint256 escrow
    );
    /// @notice The order filled at `fillPrice` from settlement price `price` (published at `publishTime`); `keeper`
    /// received `reward` token units.
    event OrderSettled(
        uint256 indexed accountId,
        uint256 indexed marketId,
        address indexed keeper,
        int256 sizeDelta,
        uint256 fillPrice,
        uint256 price,
        uint256 publishTime,
        uint256 settleTime,
        uint256 reward
    );
    /// @notice The order was cancelled: a check failed at settlement price `price` (then `reason` is the core's
    /// custom error, ABI-encoded, and `keeper` is the settler), or it expired (`reason` is `OrderExpired`, `price`
    /// 0). `reward` went to `keeper`, `refund` back to the account's owner (token units).
    event OrderCancelled(
        uint256 indexed accountId,
        uint256 indexed marketId,
        address indexed keeper,
        bytes4 reasonSelector,
        bytes reason,
        uint256 price,
        uint256 settleTime,
        uint256 reward,
        uint256 refund
    );
    /// @notice Order parameters set.
    event OrderParamsSet(OrderParams params);
    /// @notice Market `marketId`'s settlement feed set.
    event OrderMarketSet(uint256 indexed marketId, OrderMarket market);

    // ---------------------------------------------------------------- orders

    /// @notice Commits an order for `accountId` (caller: its owner or an operator) and escrows the settlement fee
    /// from the caller. Checks run at settlement, not here (except authorisation and the shape of the order).
    /// @param sizeDelta Signed WAD base units, > 0 buys; |sizeDelta| < 2^95.
    /// @param acceptablePrice The worst fill accepted (maximum for buys, minimum for sells), WAD USD.
    /// @param expiry The last second the order can settle; 0 = settleTime + the default window.
    function commitOrder(
        uint256 accountId,
        uint256 marketId,
        int256 sizeDelta,
        uint256 acceptablePrice,
        uint256 expiry
    ) external returns (uint256 settleTime, uint256 expiryTime);

    /// @notice Commits an order that closes the whole position of `accountId` in `marketId`, whatever its size at
    /// settlement. `acceptablePrice` is a minimum when the position is long (a sell), a maximum when short.
    function commitClose(uint256 accountId, uint256 marketId, uint256 acceptablePrice, uint256 expiry)
        external
        returns (uint256 settleTime, uint256 expiryTime);

    /// @notice Settles the pending order of `accountId` in `marketId` with Pyth `priceUpdate` (payable: the
    /// oracle's fee; the rest is refunded). Reverts if the price is not the order's (published before settleTime,
    /// after expiry, not the first after settleTime, too uncertain); a failed trade check cancels the order instead.
    /// @return filled Whether the order filled (false: cancelled with a reason).
    function settle(uint256 accountId, uint256 marketId, bytes[] calldata priceUpdate)
        external
        payable
        returns (bool filled);

    /// @notice Settles a batch; every request must be settleable (else the whole batch reverts). One price per
    /// market per transaction: orders of one market in a batch must share the same price.
    function settleMany(SettleRequest[] calldata requests) external payable returns (bool[] memory filled);

    /// @notice Cancels an expired order. Its account's owner or operator gets the whole escrow back; anyone else
    /// earns `cancelRewardShare` of it, and the rest goes back to the owner.
    function cancelExpired(uint256 accountId, uint256 marketId) external;

    // ---------------------------------------------------------------- views

    function getOrder(uint256 accountId, uint256 marketId) external view returns (Order memory);
    function orderParams() external view returns (OrderParams memory);
    function orderMarket(uint256 marketId) external view returns (OrderMarket memory);
    function core() external view returns (IBallastCore);
    function pyth() external view returns (IPyth);
    /// @notice Token units per escrow unit (10^(decimals − 2): a cent of a USD token).
    function feeUnit() external view returns (uint256);

    // ---------------------------------------------------------------- governance (DEFAULT_ADMIN_ROLE)

    function setOrderParams(OrderParams calldata params) external;
    function setOrderMarket(uint256 marketId, OrderMarket calldata market) external;
}
