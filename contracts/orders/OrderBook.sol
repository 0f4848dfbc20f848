// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IPyth} from "@pythnetwork/pyth-sdk-solidity/IPyth.sol";
import {PythStructs} from "@pythnetwork/pyth-sdk-solidity/PythStructs.sol";

import {IBallastCore} from "../interfaces/IBallastCore.sol";
import {IBallastErrors} from "../interfaces/IBallastErrors.sol";
import {IOrderBook, Order, OrderMarket, OrderParams, SettleRequest} from "../interfaces/IOrderBook.sol";
import {SettlementPrice} from "./SettlementPrice.sol";

/// @title OrderBook
/// @notice Asynchronous orders over the Ballast core, settled at verified Pyth prices. See `IOrderBook`.
/// @dev Skeleton of `settle`: checks (window) → verify the price (Pyth, confidence, exponent, one price per market)
/// → clear the order (state final) → the core's `settleOrder` in try/catch (a failed check becomes a cancellation
/// with the core's error as the reason) → event → token and ETH transfers last. The core never trusts the caller's
/// price but the order book's, and the order book never trades: custody and margin stay in the core.
contract OrderBook is IOrderBook, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice `Order.sizeDelta` of a close order: the whole position, whatever its size at settlement.
    int96 public constant CLOSE_ALL = type(int96).min;
    /// @notice `Order.acceptablePrice` meaning "no bound" (a buy with acceptablePrice ≥ 2^96 − 1).
    uint96 internal constant NO_BOUND = type(uint96).max;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant MAX_DELAY = 300;
    uint256 internal constant MAX_FEE_UNITS = 10_000; // $100 of a USD token
    uint256 internal constant MAX_CANCEL_REWARD_SHARE = 0.5e18;
    uint256 internal constant MAX_CONFIDENCE_RATIO = 0.05e18;

    IBallastCore internal immutable CORE;
    IPyth internal immutable PYTH;
    IERC20 internal immutable TOKEN;
    /// @dev Token units per escrow unit: 10^(decimals − 2), a cent of a USD token.
    uint256 internal immutable FEE_UNIT;

    OrderParams internal params;
    mapping(uint256 marketId => OrderMarket) internal markets;
    mapping(uint256 accountId => mapping(uint256 marketId => Order)) internal orders;

    /// @param initialParams Checked against their bounds.
    constructor(IBallastCore ballastCore, IPyth pythOracle, address admin, OrderParams memory initialParams) {
        if (address(ballastCore) == address(0) || address(pythOracle) == address(0) || admin == address(0)) {
            revert IBallastErrors.ZeroAddress();
        }
        CORE = ballastCore;
        PYTH = pythOracle;
        TOKEN = ballastCore.collateralToken();
        uint8 decimals = IERC20Metadata(address(TOKEN)).decimals();
        if (decimals < 2 || decimals > 18) revert IBallastErrors.UnsupportedDecimals(decimals);
        FEE_UNIT = 10 ** (decimals - 2);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setOrderParams(initialParams);
    }

    // ================================================================ orders

    /// @inheritdoc IOrderBook
    function commitOrder(
        uint256 accountId,
        uint256 marketId,
        int256 sizeDelta,
        uint256 acceptablePrice,
        uint256 expiry
    ) external nonReentrant returns (uint256, uint256) {
        // Cast is safe: the range is checked first; type(int96).min is reserved for CLOSE_ALL.
        if (sizeDelta == 0) revert IBallastErrors.ZeroAmount();
        if (sizeDelta <= type(int96).min || sizeDelta > type(int96).max) {
            revert InvalidSizeDelta(sizeDelta);
        }
        return _commit(accountId, marketId, int96(sizeDelta), acceptablePrice, expiry);
    }

    /// @inheritdoc IOrderBook
    function commitClose(
        uint256 accountId,
        uint256 marketId,
        uint256 acceptablePrice,
        uint256 expiry
    ) external nonReentrant returns (uint256, uint256) {
        return _commit(accountId, marketId, CLOSE_ALL, acceptablePrice, expiry);
    }

    /// @inheritdoc IOrderBook
    function settle(
        uint256 accountId,
        uint256 marketId,
        bytes[] calldata priceUpdate
    ) external payable nonReentrant returns (bool filled) {
        uint256 reward;
        uint256 oracleFee;
        (filled, reward, oracleFee) = _settle(accountId, marketId, priceUpdate, msg.value);
        _pay(reward, msg.value - oracleFee);
    }

    /// @inheritdoc IOrderBook
    function settleMany(
        SettleRequest[] calldata requests
    ) external payable nonReentrant returns (bool[] memory filled) {
        if (requests.length == 0) revert EmptyBatch();
        filled = new bool[](requests.length);
        uint256 rewards;
        uint256 ethLeft = msg.value;
        for (uint256 i; i < requests.length; ++i) {
            SettleRequest calldata request = requests[i];
            (bool ok, uint256 reward, uint256 oracleFee) = _settle(
                request.accountId,
                request.marketId,
                request.priceUpdate,
                ethLeft
            );
            filled[i] = ok;
            rewards += reward;
            ethLeft -= oracleFee;
        }
        _pay(rewards, ethLeft);
    }

    /// @inheritdoc IOrderBook
    function cancelExpired(uint256 accountId, uint256 marketId) external nonReentrant {
        Order memory order = orders[accountId][marketId];
        if (order.sizeDelta == 0) revert NoPendingOrder(accountId, marketId);
        uint256 expiry = uint256(order.settleTime) + order.window;
        if (block.timestamp <= expiry) revert OrderNotExpired(expiry, block.timestamp);

        address owner = CORE.getAccount(accountId).owner;
        uint256 escrow = uint256(order.escrowUnits) * FEE_UNIT;
        // The owner's side gets everything back; a third party earns a share for the clean-up (rounded down).
        uint256 reward = (msg.sender == owner || CORE.isOperator(owner, msg.sender))
            ? 0
            : (escrow * params.cancelRewardShare) / WAD;
        _clear(accountId, marketId, order.settleTime);
        bytes memory reason = abi.encodeWithSelector(OrderExpired.selector, expiry, block.timestamp);
        emit OrderCancelled(
            accountId,
            marketId,
            msg.sender,
            OrderExpired.selector,
            reason,
            0,
            order.settleTime,
            reward,
            escrow - reward
        );
        if (reward != 0) TOKEN.safeTransfer(msg.sender, reward);
        if (escrow != reward) TOKEN.safeTransfer(owner, escrow - reward);
    }

    // ================================================================ views

    /// @inheritdoc IOrderBook
    function getOrder(uint256 accountId, uint256 marketId) external view returns (Order memory) {
        return orders[accountId][marketId];
    }

    /// @inheritdoc IOrderBook
    function orderParams() external view returns (OrderParams memory) {
        return params;
    }

    /// @inheritdoc IOrderBook
    function orderMarket(uint256 marketId) external view returns (OrderMarket memory) {
        return markets[marketId];
    }

    /// @inheritdoc IOrderBook
    function core() external view returns (IBallastCore) {
        return CORE;
    }

    /// @inheritdoc IOrderBook
    function pyth() external view returns (IPyth) {
        return PYTH;
    }

    /// @inheritdoc IOrderBook
    function feeUnit() external view returns (uint256) {
        return FEE_UNIT;
    }

    // ================================================================ governance

    /// @inheritdoc IOrderBook
    function setOrderParams(OrderParams calldata newParams) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setOrderParams(newParams);
    }

    /// @inheritdoc IOrderBook
    function setOrderMarket(uint256 marketId, OrderMarket calldata market) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (marketId >= CORE.marketCount()) revert IBallastCore.MarketNotListed(marketId);
        if (market.pythFeedId == bytes32(0)) revert IBallastErrors.ZeroAmount();
        _bound("maxConfidenceRatio", market.maxConfidenceRatio, 1, MAX_CONFIDENCE_RATIO);
        markets[marketId] = market;
        emit OrderMarketSet(marketId, market);
    }

    // ================================================================ internal

    function _commit(
        uint256 accountId,
        uint256 marketId,
        int96 sizeDelta,
        uint256 acceptablePrice,
        uint256 expiry
    ) internal returns (uint256 settleTime, uint256 expiryTime) {
        // Checks: the account's owner or operator (the core's views), a market that takes orders, none pending.
        address owner = CORE.getAccount(accountId).owner;
        if (owner == address(0)) revert IBallastCore.AccountNotFound(accountId);
        if (msg.sender != owner && !CORE.isOperator(owner, msg.sender)) {
            revert IBallastCore.Unauthorized(accountId, msg.sender);
        }
        if (markets[marketId].pythFeedId == bytes32(0)) {
            if (marketId >= CORE.marketCount()) revert IBallastCore.MarketNotListed(marketId);
            revert MarketNotConfigured(marketId);
        }
        Order storage slot = orders[accountId][marketId];
        if (slot.sizeDelta != 0) revert OrderPending(accountId, marketId);

        OrderParams memory p = params;
        settleTime = block.timestamp + p.minDelay;
        uint256 window = expiry == 0 ? p.defaultWindow : expiry > settleTime ? expiry - settleTime : 0;
        if (window == 0 || window > p.maxWindow) {
            revert InvalidExpiry(expiry, settleTime + 1, settleTime + p.maxWindow);
        }
        expiryTime = settleTime + window;
        uint256 escrow = uint256(p.settlementFeeUnits) * FEE_UNIT;

        // Storage: one slot. Casts are safe: settleTime < 2^32 until 2106; window ≤ maxWindow < 2^16; a bound at or
        // above 2^96 − 1 is stored as NO_BOUND and means "none".
        orders[accountId][marketId] = Order({
            sizeDelta: sizeDelta,
            acceptablePrice: acceptablePrice >= NO_BOUND ? NO_BOUND : uint96(acceptablePrice),
            settleTime: uint32(settleTime),
            window: uint16(window),
            escrowUnits: p.settlementFeeUnits
        });
        emit OrderCommitted(
            accountId,
            marketId,
            msg.sender,
            sizeDelta,
            acceptablePrice,
            settleTime,
            expiryTime,
            escrow
        );
        TOKEN.safeTransferFrom(msg.sender, address(this), escrow);
    }

    /// @return filled Whether the order filled.
    /// @return reward Token units owed to the settler.
    /// @return oracleFee Wei paid to Pyth.
    function _settle(
        uint256 accountId,
        uint256 marketId,
        bytes[] calldata priceUpdate,
        uint256 ethAvailable
    ) internal returns (bool filled, uint256 reward, uint256 oracleFee) {
        Order memory order = orders[accountId][marketId];
        if (order.sizeDelta == 0) revert NoPendingOrder(accountId, marketId);
        uint256 settleTime = order.settleTime;
        uint256 expiry = settleTime + order.window;
        if (block.timestamp < settleTime) revert OrderNotSettleableYet(settleTime, block.timestamp);
        if (block.timestamp > expiry) revert OrderExpired(expiry, block.timestamp);

        // The price: the first update published at or after settleTime (Pyth's uniqueness check), before expiry.
        uint256 price;
        uint256 publishTime;
        (price, publishTime, oracleFee) = _verifiedPrice(marketId, priceUpdate, settleTime, expiry, ethAvailable);

        // One price per market per transaction (the core enforces it too; here a conflict reverts the settler's
        // transaction instead of cancelling the order, so a keeper's bad batch cannot hurt the trader).
        uint256 settled = SettlementPrice.get(marketId);
        if (settled != 0 && settled != price) revert PriceConflict(marketId, settled, price);
        SettlementPrice.set(marketId, price);

        // State final before the external call: the order is gone whatever the core says.
        _clear(accountId, marketId, order.settleTime);
        reward = uint256(order.escrowUnits) * FEE_UNIT;
        int256 sizeDelta = order.sizeDelta == CLOSE_ALL ? type(int256).min : int256(order.sizeDelta);
        uint256 bound = order.acceptablePrice == NO_BOUND ? type(uint256).max : order.acceptablePrice;
        try CORE.settleOrder(accountId, marketId, sizeDelta, bound, price) returns (uint256 fillPrice) {
            filled = true;
            emit OrderSettled(
                accountId,
                marketId,
                msg.sender,
                sizeDelta,
                fillPrice,
                price,
                publishTime,
                settleTime,
                reward
            );
        } catch (bytes memory reason) {
            // Empty revert data: the call ran out of gas (every check of the core reverts with a custom error), so
            // the settler gave too little gas. Revert rather than cancel: no keeper can grief an order that way.
            if (reason.length < 4) revert SettlementOutOfGas();
            emit OrderCancelled(
                accountId,
                marketId,
                msg.sender,
                bytes4(reason),
                reason,
                price,
                settleTime,
                reward,
                0
            );
        }
    }

    /// @dev Verifies `priceUpdate` through Pyth for `marketId`'s feed, published in [settleTime, expiry] and the
    /// first such (parsePriceFeedUpdatesUnique), and normalises it to WAD.
    function _verifiedPrice(
        uint256 marketId,
        bytes[] calldata priceUpdate,
        uint256 settleTime,
        uint256 expiry,
        uint256 ethAvailable
    ) internal returns (uint256 priceWad, uint256 publishTime, uint256 oracleFee) {
        OrderMarket memory market = markets[marketId];
        if (market.pythFeedId == bytes32(0)) revert MarketNotConfigured(marketId);
        oracleFee = PYTH.getUpdateFee(priceUpdate);
        if (oracleFee > ethAvailable) revert InsufficientUpdateFee(ethAvailable, oracleFee);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = market.pythFeedId;
        // Casts are safe: settleTime and expiry are < 2^33 (uint32 + uint16).
        PythStructs.PriceFeed[] memory feeds = PYTH.parsePriceFeedUpdatesUnique{value: oracleFee}(
            priceUpdate,
            ids,
            uint64(settleTime),
            uint64(expiry)
        );
        PythStructs.Price memory p = feeds[0].price;
        publishTime = p.publishTime;
        // Defence in depth: Pyth checked the window already.
        if (publishTime < settleTime || publishTime > expiry) revert OrderNotSettleableYet(settleTime, publishTime);
        priceWad = normalise(p.price, p.expo);
        // conf and price share the exponent, so their ratio needs no scaling. Rounded up: against the settler.
        // Cast is safe: price > 0 (checked in normalise).
        uint256 ratio = (uint256(p.conf) * WAD + uint64(p.price) - 1) / uint64(p.price);
        if (ratio > market.maxConfidenceRatio) revert ConfidenceTooWide(ratio, market.maxConfidenceRatio);
    }

    /// @notice A Pyth price (`price` × 10^`expo`) in WAD: exact for expo ≥ −18, rounded down below.
    function normalise(int64 price, int32 expo) public pure returns (uint256) {
        if (price <= 0) revert InvalidSettlementPrice(price, expo);
        if (expo < -36 || expo > 12) revert InvalidExponent(expo);
        // Casts are safe: price > 0; 18 + expo ∈ [−18, 30]; 2^63 × 10^30 < 2^256.
        uint256 magnitude = uint64(price);
        int256 shift = 18 + int256(expo);
        uint256 priceWad = shift >= 0 ? magnitude * 10 ** uint256(shift) : magnitude / 10 ** uint256(-shift);
        if (priceWad == 0) revert InvalidSettlementPrice(price, expo);
        return priceWad;
    }

    /// @dev Tombstone: keeps settleTime so the slot stays non-zero (cheaper next commit); sizeDelta 0 = no order.
    function _clear(uint256 accountId, uint256 marketId, uint32 settleTime) internal {
        orders[accountId][marketId] = Order(0, 0, settleTime, 0, 0);
    }

    /// @dev Pays the settler's rewards (tokens) and returns unused ETH, last.
    function _pay(uint256 reward, uint256 ethRefund) internal {
        if (reward != 0) TOKEN.safeTransfer(msg.sender, reward);
        if (ethRefund != 0) {
            (bool ok, ) = msg.sender.call{value: ethRefund}("");
            if (!ok) revert RefundFailed(msg.sender, ethRefund);
        }
    }

    function _setOrderParams(OrderParams memory newParams) internal {
        _bound("minDelay", newParams.minDelay, 1, MAX_DELAY);
        _bound("maxWindow", newParams.maxWindow, 1, type(uint16).max);
        _bound("defaultWindow", newParams.defaultWindow, 1, newParams.maxWindow);
        _bound("settlementFeeUnits", newParams.settlementFeeUnits, 1, MAX_FEE_UNITS);
        _bound("cancelRewardShare", newParams.cancelRewardShare, 0, MAX_CANCEL_REWARD_SHARE);
        params = newParams;
        emit OrderParamsSet(newParams);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IBallastErrors.ParameterOutOfBounds(name, value, min, max);
    }
}
