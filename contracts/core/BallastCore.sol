// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {
    Account,
    AccountHealth,
    IBallastCore,
    LiquidationPreview,
    MarginSchedule,
    MarketParams,
    MarketState,
    Position,
    RiskParams
} from "../interfaces/IBallastCore.sol";
import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {GovernanceLogic} from "./GovernanceLogic.sol";
import {VaultAccounting} from "./VaultAccounting.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarginTier, MarginTiers} from "../libraries/MarginTiers.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {PricingMath} from "../libraries/PricingMath.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title BallastCore
/// @notice The custody contract and margin engine of Ballast. See `IBallastCore` for the units and assumptions.
/// @dev Every state-changing entry point follows one skeleton: checks → read prices once → accrue funding →
/// math with named rounding (libraries) → storage → health check → event → token transfer last. All of them
/// are `nonReentrant` (transient storage), so a token with transfer hooks cannot re-enter.
contract BallastCore is IBallastCore, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeCast for int256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Markets are ids 0..63, so an account's open markets fit a uint64 bitmap.
    uint256 public constant MAX_MARKETS = 64;
    /// @notice Bounds the work of one liquidation (each position costs one price read and a few writes).
    uint256 public constant MAX_POSITIONS_PER_ACCOUNT = 16;

    IERC20 internal immutable TOKEN;
    /// @dev 10^(18 − token decimals): token units × TOKEN_SCALE = WAD USD.
    uint256 internal immutable TOKEN_SCALE;

    IPriceOracle public oracle;
    /// @dev Packed with `oracle`: every trade reads both.
    uint8 internal _marketCount;
    address public vault;
    address public insurancePool;

    RiskParams internal _risk;
    /// @dev The LP ledger (signed: socialised bad debt can push it below zero) and the insurance ledger, WAD USD,
    /// packed because most trades touch both.
    int128 internal _vaultLedger;
    uint128 internal _insuranceLedger;

    uint256 internal _nextAccountId = 1;

    mapping(uint256 marketId => MarketParams) internal _marketParams;
    mapping(uint256 marketId => MarketState) internal _marketState;
    /// @dev Fixed-size tables (MarginTiers.MAX_TIERS = 8 brackets) whose counts live in `_schedules`, so that a
    /// margin check reads one header slot instead of an array length and a ramp slot.
    mapping(uint256 marketId => MarginTier[8]) internal _tiers;
    /// @dev The table a ramp starts from; requirements interpolate between it and `_tiers` until `rampEnd`.
    mapping(uint256 marketId => MarginTier[8]) internal _previousTiers;
    mapping(uint256 marketId => MarginSchedule) internal _schedules;
    mapping(uint256 accountId => Account) internal _accounts;
    mapping(uint256 accountId => mapping(uint256 marketId => Position)) internal _positions;

    /// @notice Whether `operator` may act for `owner`'s accounts.
    mapping(address owner => mapping(address operator => bool)) public isOperator;
    /// @notice Keeper rewards owed to a recipient, WAD USD (pull payment, so no recipient can block a liquidation).
    mapping(address recipient => uint256) public claimableRewards;
    /// @dev Σ claimableRewards: with the insurance ledger, the part of the token balance no trader or LP may take.
    uint256 internal _unclaimedRewards;

    /// @dev One position's contribution to its account's risk.
    struct PositionRisk {
        int256 value; // unrealisedPnl − accruedFunding
        uint256 initialMargin;
        uint256 maintenanceMargin;
        uint256 notional;
    }

    /// @dev A priced trade against one position, before anything is written.
    struct Fill {
        uint256 markPrice;
        int256 fundingIndex;
        uint256 price; // the fill price
        Position positionAfter;
        uint256 fee;
        Position before;
        int256 newSize;
        int256 newOpenNotional;
        int256 realisedPnl;
        int256 fundingPaid;
        bool increasesRisk;
    }

    /// @dev An account's sums over its positions.
    struct RiskTotals {
        int256 equity;
        uint256 initialMargin;
        uint256 maintenanceMargin;
        uint256 totalNotional;
    }

    /// @dev What a liquidation does to one position.
    struct PositionPlan {
        uint256 marketId;
        uint256 price;
        int256 fundingIndex;
        Position before;
        int256 closedSize;
        int256 newSize;
        int256 newOpenNotional;
        int256 realisedPnl;
        int256 fundingPaid;
    }

    struct LiquidationPlan {
        LiquidationPreview preview;
        PositionPlan[] positions;
        int256 marginAfter; // before any bad-debt write-off
    }

    /// @param token The collateral token (≤ 18 decimals).
    /// @param priceOracle The guarded oracle adapter.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (can be a timelock); grants the other roles.
    /// @param initialRiskParams Liquidation and fee-routing parameters, checked against their bounds.
    constructor(IERC20Metadata token, IPriceOracle priceOracle, address admin, RiskParams memory initialRiskParams) {
        if (address(token) == address(0) || address(priceOracle) == address(0) || admin == address(0)) {
            revert ZeroAddress();
        }
        uint8 decimals = token.decimals();
        if (decimals > 18) revert UnsupportedDecimals(decimals);
        TOKEN = token;
        TOKEN_SCALE = 10 ** (18 - decimals);
        oracle = priceOracle;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        GovernanceLogic.validateRiskParams(initialRiskParams);
        _risk = initialRiskParams;
        emit RiskParamsSet(initialRiskParams);
        emit OracleSet(priceOracle);
    }

    // ================================================================ accounts and collateral

    /// @inheritdoc IBallastCore
    function createAccount(bool isolated, uint256 isolatedMarketId) external returns (uint256 accountId) {
        if (isolated) _requireListed(isolatedMarketId);
        else isolatedMarketId = 0;
        accountId = _nextAccountId++;
        // Cast is safe: listed market ids are < MAX_MARKETS = 64.
        _accounts[accountId] = Account({
            owner: msg.sender,
            isolated: isolated,
            isolatedMarketId: uint8(isolatedMarketId),
            margin: 0,
            activeMarkets: 0
        });
        emit AccountCreated(accountId, msg.sender, isolated, isolatedMarketId);
    }

    /// @inheritdoc IBallastCore
    function setOperator(address operator, bool approved) external {
        isOperator[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
    }

    /// @inheritdoc IBallastCore
    function deposit(uint256 accountId, uint256 assets) external nonReentrant {
        if (assets == 0) revert ZeroAmount();
        Account storage account = _accounts[accountId];
        if (account.owner == address(0)) revert AccountNotFound(accountId);

        int256 marginAfter = account.margin + (assets * TOKEN_SCALE).toInt256();
        account.margin = marginAfter.toInt128();
        emit MarginDeposited(accountId, msg.sender, assets, marginAfter);

        _pullExactly(msg.sender, assets);
    }

    /// @inheritdoc IBallastCore
    function withdraw(uint256 accountId, uint256 assets, address to) external nonReentrant {
        if (assets == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        Account memory account = _authorizedAccount(accountId);

        uint256 amount = assets * TOKEN_SCALE;
        RiskTotals memory totals = _accountRisk(accountId, account, new uint256[](_marketCount));
        uint256 available = MarginMath.withdrawableMargin(account.margin, totals.equity, totals.initialMargin);
        if (amount > available) revert WithdrawalExceedsAvailable(amount, available);

        // Cast is safe: amount ≤ available ≤ margin < 2^127.
        _requireFreeLiquidity(amount);
        int256 marginAfter = account.margin - int256(amount);
        _accounts[accountId].margin = marginAfter.toInt128();
        emit MarginWithdrawn(accountId, to, assets, marginAfter);

        TOKEN.safeTransfer(to, assets);
    }

    // ================================================================ trading

    /// @inheritdoc IBallastCore
    function trade(uint256 accountId, uint256 marketId, int256 sizeDelta, uint256 acceptablePrice)
        external
        nonReentrant
        returns (uint256 fillPrice)
    {
        return _trade(accountId, marketId, sizeDelta, acceptablePrice);
    }

    /// @inheritdoc IBallastCore
    function closePosition(uint256 accountId, uint256 marketId, uint256 acceptablePrice)
        external
        nonReentrant
        returns (uint256 fillPrice)
    {
        return _trade(accountId, marketId, -int256(_positions[accountId][marketId].size), acceptablePrice);
    }

    function _trade(uint256 accountId, uint256 marketId, int256 sizeDelta, uint256 acceptablePrice)
        internal
        returns (uint256)
    {
        if (sizeDelta == 0) revert ZeroAmount();
        Account memory account = _authorizedAccount(accountId);
        _requireListed(marketId);
        if (account.isolated && account.isolatedMarketId != marketId) {
            revert IsolatedMarketMismatch(accountId, account.isolatedMarketId, marketId);
        }

        uint256[] memory prices = new uint256[](_marketCount);
        uint256 price = _priceOf(prices, marketId);
        int256 fundingIndex = _accrueFunding(marketId, price);

        // A liquidatable account may only add margin: trading out of it would dodge the liquidation fee.
        RiskTotals memory totals = _accountRisk(accountId, account, prices);
        if (MarginMath.isLiquidatable(totals.equity, totals.maintenanceMargin)) {
            revert AccountLiquidatable(accountId, totals.equity, totals.maintenanceMargin);
        }

        Fill memory fill = _fill(_positions[accountId][marketId], marketId, sizeDelta, price, fundingIndex);
        if (sizeDelta > 0 ? fill.price > acceptablePrice : fill.price < acceptablePrice) {
            revert SlippageExceeded(fill.price, acceptablePrice);
        }

        int256 marginAfter = _applyFill(accountId, marketId, account, fill);
        _checkHealthAfterTrade(marketId, fill, totals, marginAfter - account.margin);

        emit PositionTraded(
            accountId,
            marketId,
            sizeDelta,
            fill.price,
            fill.fee,
            fill.realisedPnl,
            fill.fundingPaid,
            fill.newSize,
            fill.newOpenNotional,
            fill.fundingIndex,
            marginAfter
        );
        return fill.price;
    }

    /// @dev Writes a priced fill: the market, the position, the account's margin, the ledgers.
    function _applyFill(uint256 accountId, uint256 marketId, Account memory account, Fill memory fill)
        internal
        returns (int256 marginAfter)
    {
        if (fill.increasesRisk) _requireNotPaused();
        _updateMarket(marketId, fill.before, fill.newSize, fill.newOpenNotional, fill.fundingIndex, fill.increasesRisk);
        fill.positionAfter = _storePosition(
            accountId, marketId, account, fill.before.size, fill.newSize, fill.newOpenNotional, fill.fundingIndex
        );
        marginAfter = account.margin + fill.realisedPnl - fill.fundingPaid - int256(fill.fee);
        _accounts[accountId].margin = marginAfter.toInt128();
        _settleWithVault(fill.realisedPnl - fill.fundingPaid);
        _routeTradingFee(fill.fee);
    }

    /// @dev Risk-increasing trades must end with equity ≥ IM; reductions must not leave the account liquidatable
    /// or negative. Health after comes from the totals before and this market's change (no second pass).
    function _checkHealthAfterTrade(uint256 marketId, Fill memory fill, RiskTotals memory totals, int256 marginDelta)
        internal
        view
    {
        PositionRisk memory riskBefore = _positionRisk(marketId, fill.before, fill.markPrice, fill.fundingIndex);
        PositionRisk memory riskAfter = _positionRisk(marketId, fill.positionAfter, fill.markPrice, fill.fundingIndex);
        int256 equity = totals.equity - riskBefore.value + riskAfter.value + marginDelta;
        if (fill.increasesRisk) {
            uint256 initialMargin = totals.initialMargin - riskBefore.initialMargin + riskAfter.initialMargin;
            if (equity < int256(initialMargin)) revert InsufficientMargin(equity, initialMargin);
        } else {
            uint256 maintenanceMargin =
                totals.maintenanceMargin - riskBefore.maintenanceMargin + riskAfter.maintenanceMargin;
            if (equity < 0 || MarginMath.isLiquidatable(equity, maintenanceMargin)) {
                revert ReductionLeavesAccountUnhealthy(equity, maintenanceMargin);
            }
        }
    }

    /// @dev Prices a trade against `position` (fill price, fee, funding settled, the position after) without
    /// writing anything, and checks the minimum notional of a risk-increasing result.
    function _fill(
        Position memory position,
        uint256 marketId,
        int256 sizeDelta,
        uint256 markPrice,
        int256 fundingIndex
    ) internal view returns (Fill memory fill) {
        MarketParams storage params = _marketParams[marketId];
        int256 skew = _skew(_marketState[marketId]);
        fill.before = position;
        fill.markPrice = markPrice;
        fill.fundingIndex = fundingIndex;
        fill.price = PricingMath.fillPrice(markPrice, skew, sizeDelta, params.skewScale);
        fill.fee = PricingMath.tradingFee(skew, sizeDelta, fill.price, params.makerFeeRate, params.takerFeeRate);
        fill.fundingPaid = FundingMath.accruedFunding(position.size, position.lastFundingIndex, fundingIndex);
        (fill.newSize, fill.newOpenNotional, fill.realisedPnl) =
            PositionMath.applyFill(position.size, position.openNotional, sizeDelta, fill.price);
        fill.increasesRisk = WadMath.abs(fill.newSize) > WadMath.abs(position.size)
            || (fill.newSize != 0 && position.size != 0 && (fill.newSize > 0) != (position.size > 0));
        if (fill.increasesRisk) {
            uint256 newNotional = PositionMath.notional(fill.newSize, markPrice);
            if (newNotional < params.minPositionNotional) {
                revert PositionBelowMinimum(newNotional, params.minPositionNotional);
            }
        }
    }

    // ================================================================ liquidation

    /// @inheritdoc IBallastCore
    function liquidate(uint256 accountId, address recipient)
        external
        nonReentrant
        returns (LiquidationPreview memory result)
    {
        if (recipient == address(0)) revert ZeroAddress();
        if (_accounts[accountId].owner == address(0)) revert AccountNotFound(accountId);
        uint256[] memory prices = new uint256[](_marketCount);
        LiquidationPlan memory plan = _liquidate(accountId, recipient, prices);
        result = plan.preview;
        if (!result.liquidatable) {
            revert AccountNotLiquidatable(accountId, result.equityBefore, result.maintenanceMarginBefore);
        }
    }

    /// @inheritdoc IBallastCore
    function liquidateMany(uint256[] calldata accountIds, address recipient)
        external
        nonReentrant
        returns (bool[] memory liquidated)
    {
        if (recipient == address(0)) revert ZeroAddress();
        // One price read per market for the whole batch.
        uint256[] memory prices = new uint256[](_marketCount);
        liquidated = new bool[](accountIds.length);
        for (uint256 i; i < accountIds.length; ++i) {
            if (_accounts[accountIds[i]].owner == address(0)) continue;
            liquidated[i] = _liquidate(accountIds[i], recipient, prices).preview.liquidatable;
        }
    }

    /// @inheritdoc IBallastCore
    function claimRewards(address to) external nonReentrant returns (uint256 assets) {
        if (to == address(0)) revert ZeroAddress();
        assets = claimableRewards[msg.sender] / TOKEN_SCALE;
        if (assets == 0) revert NothingToClaim(msg.sender);
        // Sub-unit dust stays claimable for later.
        claimableRewards[msg.sender] -= assets * TOKEN_SCALE;
        _unclaimedRewards -= assets * TOKEN_SCALE;
        emit RewardsClaimed(msg.sender, to, assets);
        TOKEN.safeTransfer(to, assets);
    }

    /// @dev Accrues funding in the account's markets, plans, and (if liquidatable) executes. Never reverts for a
    /// healthy account: the plan says `liquidatable = false` and nothing is written but funding accrual.
    function _liquidate(uint256 accountId, address recipient, uint256[] memory prices)
        internal
        returns (LiquidationPlan memory plan)
    {
        uint256 remaining = _accounts[accountId].activeMarkets;
        while (remaining != 0) {
            uint256 marketId = _lowestMarket(remaining);
            remaining &= remaining - 1;
            _accrueFunding(marketId, _priceOf(prices, marketId));
        }
        plan = _planLiquidation(accountId, prices);
        if (plan.preview.liquidatable) _executeLiquidation(accountId, plan, recipient);
    }

    /// @dev The whole liquidation, computed in memory. Shared by `liquidate` and `previewLiquidation`, so a
    /// keeper's preview can never disagree with the execution in the same block.
    function _planLiquidation(uint256 accountId, uint256[] memory prices)
        internal
        view
        returns (LiquidationPlan memory plan)
    {
        Account memory account = _accounts[accountId];
        plan.positions = new PositionPlan[](_popCount(account.activeMarkets));
        RiskTotals memory totals = RiskTotals(account.margin, 0, 0, 0);
        uint256 remaining = account.activeMarkets;
        for (uint256 i; remaining != 0; ++i) {
            uint256 marketId = _lowestMarket(remaining);
            remaining &= remaining - 1;
            PositionPlan memory p = plan.positions[i];
            p.marketId = marketId;
            p.price = _priceOf(prices, marketId);
            (p.fundingIndex,) = _pendingFunding(marketId, p.price);
            p.before = _positions[accountId][marketId];
            _addRisk(totals, _positionRisk(marketId, p.before, p.price, p.fundingIndex));
        }

        LiquidationPreview memory preview = plan.preview;
        preview.equityBefore = totals.equity;
        preview.maintenanceMarginBefore = totals.maintenanceMargin;
        if (!MarginMath.isLiquidatable(totals.equity, totals.maintenanceMargin)) return plan;
        preview.liquidatable = true;

        RiskParams memory risk = _risk;
        uint256 fraction = LiquidationMath.closeFraction(
            totals.equity, totals.maintenanceMargin, totals.totalNotional, risk.liquidationFeeRate, risk.liquidationBuffer
        );
        bool full = totals.equity <= 0 || fraction == WadMath.WAD
            || MarginMath.healthFactor(totals.equity, totals.maintenanceMargin) < risk.fullLiquidationHealthFactor;
        if (!full) {
            uint256 remainingNotional = _applyFraction(plan, account.margin, fraction, risk.liquidationFeeRate);
            // Too small to leave open, or (only through rounding) short of the target: close everything.
            full = remainingNotional < risk.minRemainingNotional
                || preview.equityAfter
                    < int256(LiquidationMath.targetEquity(preview.maintenanceMarginAfter, risk.liquidationBuffer));
        }
        if (full) _applyFraction(plan, account.margin, WadMath.WAD, risk.liquidationFeeRate);
        preview.full = full;
    }

    /// @dev Closes `fraction` of every planned position at its mark price and fills in the plan's results.
    /// @return remainingNotional The notional left open.
    function _applyFraction(LiquidationPlan memory plan, int256 margin, uint256 fraction, uint256 feeRate)
        internal
        view
        returns (uint256 remainingNotional)
    {
        LiquidationPreview memory preview = plan.preview;
        preview.fraction = fraction;
        preview.closedNotional = 0;
        preview.maintenanceMarginAfter = 0;
        int256 remainingValue;
        for (uint256 i; i < plan.positions.length; ++i) {
            PositionPlan memory p = plan.positions[i];
            p.closedSize = LiquidationMath.closeSize(p.before.size, fraction);
            p.fundingPaid = FundingMath.accruedFunding(p.before.size, p.before.lastFundingIndex, p.fundingIndex);
            (p.newSize, p.newOpenNotional, p.realisedPnl) =
                PositionMath.applyFill(p.before.size, p.before.openNotional, -p.closedSize, p.price);
            margin += p.realisedPnl - p.fundingPaid;
            preview.closedNotional += PositionMath.notional(p.closedSize, p.price);
            if (p.newSize != 0) {
                uint256 notional = PositionMath.notional(p.newSize, p.price);
                (, uint256 maintenanceMargin) = _requirements(p.marketId, notional);
                remainingNotional += notional;
                preview.maintenanceMarginAfter += maintenanceMargin;
                remainingValue += PositionMath.unrealisedPnl(p.newSize, p.newOpenNotional, p.price);
            }
        }
        preview.fee = LiquidationMath.liquidationFee(preview.closedNotional, feeRate, margin + remainingValue);
        margin -= int256(preview.fee);
        plan.marginAfter = margin;
        preview.equityAfter = margin + remainingValue;
        preview.badDebt = remainingNotional == 0 && margin < 0 ? uint256(-margin) : 0;
    }

    /// @dev Writes a liquidation plan: positions, markets, ledgers, keeper reward, bad debt.
    function _executeLiquidation(uint256 accountId, LiquidationPlan memory plan, address recipient) internal {
        Account memory account = _accounts[accountId];
        int256 vaultPays;
        for (uint256 i; i < plan.positions.length; ++i) {
            PositionPlan memory p = plan.positions[i];
            _updateMarket(p.marketId, p.before, p.newSize, p.newOpenNotional, p.fundingIndex, false);
            account.activeMarkets = _storePosition(
                accountId, p.marketId, account, p.before.size, p.newSize, p.newOpenNotional, p.fundingIndex
            ).size == 0 ? account.activeMarkets & ~uint64(1 << p.marketId) : account.activeMarkets;
            vaultPays += p.realisedPnl - p.fundingPaid;
            emit PositionLiquidated(
                accountId,
                p.marketId,
                p.closedSize,
                p.price,
                p.realisedPnl,
                p.fundingPaid,
                p.newSize,
                p.newOpenNotional,
                p.fundingIndex
            );
        }
        _settleWithVault(vaultPays);

        LiquidationPreview memory preview = plan.preview;
        // Liquidating your own account pays no reward: it must never be cheaper than being liquidated.
        bool selfLiquidation = msg.sender == account.owner || isOperator[account.owner][msg.sender];
        uint256 keeperReward =
            selfLiquidation ? 0 : WadMath.mulWadDown(preview.fee, _risk.keeperRewardShare);
        if (keeperReward != 0) {
            claimableRewards[recipient] += keeperReward;
            _unclaimedRewards += keeperReward;
        }
        uint256 insurance = _insuranceLedger + (preview.fee - keeperReward);

        int256 marginAfter = plan.marginAfter;
        if (preview.badDebt != 0) {
            uint256 coveredByInsurance = Math.min(insurance, preview.badDebt);
            uint256 socialised = preview.badDebt - coveredByInsurance;
            insurance -= coveredByInsurance;
            _vaultLedger -= socialised.toInt256().toInt128();
            marginAfter = 0;
            emit BadDebtSettled(accountId, preview.badDebt, coveredByInsurance, socialised);
        }
        _insuranceLedger = insurance.toUint128();
        _accounts[accountId].margin = marginAfter.toInt128();

        emit AccountLiquidated(
            accountId,
            msg.sender,
            recipient,
            preview.full,
            preview.fraction,
            preview.closedNotional,
            preview.fee,
            keeperReward,
            marginAfter
        );
    }

    // ================================================================ vault and insurance hooks

    /// @inheritdoc IBallastLedger
    function collateralToken() external view returns (IERC20) {
        return TOKEN;
    }

    /// @inheritdoc IBallastLedger
    function vaultTotalAssets() external view returns (uint256) {
        (int256 netAssetValue,) = _vaultNetAssetValue();
        return WadMath.positivePart(netAssetValue) / TOKEN_SCALE;
    }

    /// @inheritdoc IBallastLedger
    function vaultWithdrawableAssets() public view returns (uint256) {
        (int256 netAssetValue, uint256 reserve) = _vaultNetAssetValue();
        // LPs, like traders, cannot take out unrealised gains: cap at the realised ledger too.
        uint256 free = Math.min(
            WadMath.positivePart(netAssetValue - reserve.toInt256()), WadMath.positivePart(_vaultLedger)
        );
        return free / TOKEN_SCALE;
    }

    /// @inheritdoc IBallastLedger
    function creditVault(uint256 assets) external {
        if (msg.sender != vault) revert OnlyVault(msg.sender);
        _vaultLedger += (assets * TOKEN_SCALE).toInt256().toInt128();
        emit VaultCredited(assets);
    }

    /// @inheritdoc IBallastLedger
    function debitVault(address receiver, uint256 assets) external nonReentrant {
        if (msg.sender != vault) revert OnlyVault(msg.sender);
        uint256 withdrawable = vaultWithdrawableAssets();
        if (assets > withdrawable) revert VaultReserveBreached(assets, withdrawable);
        _requireFreeLiquidity(assets * TOKEN_SCALE);
        _vaultLedger -= (assets * TOKEN_SCALE).toInt256().toInt128();
        emit VaultDebited(receiver, assets);
        TOKEN.safeTransfer(receiver, assets);
    }

    /// @inheritdoc IBallastLedger
    function insuranceTotalAssets() external view returns (uint256) {
        return _insuranceLedger / TOKEN_SCALE;
    }

    /// @inheritdoc IBallastLedger
    function creditInsurance(uint256 assets) external {
        if (msg.sender != insurancePool) revert OnlyInsurancePool(msg.sender);
        _insuranceLedger += (assets * TOKEN_SCALE).toUint128();
        emit InsuranceCredited(assets);
    }

    /// @inheritdoc IBallastLedger
    function debitInsurance(address receiver, uint256 assets) external nonReentrant {
        if (msg.sender != insurancePool) revert OnlyInsurancePool(msg.sender);
        uint256 available = _insuranceLedger / TOKEN_SCALE;
        if (assets > available) revert InsufficientInsurance(assets, available);
        _insuranceLedger -= (assets * TOKEN_SCALE).toUint128();
        emit InsuranceDebited(receiver, assets);
        TOKEN.safeTransfer(receiver, assets);
    }

    // ================================================================ governance

    /// @notice Sets the vault and the insurance pool, once.
    function initializePools(address liquidityVault, address insurance) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (vault != address(0)) revert AlreadyInitialized();
        if (liquidityVault == address(0) || insurance == address(0)) revert ZeroAddress();
        vault = liquidityVault;
        insurancePool = insurance;
        emit PoolsInitialized(liquidityVault, insurance);
    }

    /// @notice Replaces the oracle adapter.
    function setOracle(IPriceOracle newOracle) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(newOracle) == address(0)) revert ZeroAddress();
        oracle = newOracle;
        emit OracleSet(newOracle);
    }

    /// @notice Lists a market with its parameters and margin table (effective at once: nothing is open yet).
    function listMarket(MarketParams calldata params, MarginTier[] calldata tiers)
        external
        onlyRole(RISK_MANAGER_ROLE)
        returns (uint256 marketId)
    {
        marketId = _marketCount;
        if (marketId >= MAX_MARKETS) revert TooManyMarkets(MAX_MARKETS);
        // Cast is safe: marketId < MAX_MARKETS = 64.
        _marketCount = uint8(marketId + 1);
        GovernanceLogic.listMarket(
            _marketParams, _marketState, _tiers, _schedules, marketId, params, tiers, _risk.liquidationFeeRate
        );
    }

    /// @notice Updates a market's parameters. Funding accrues under the old ones first.
    function setMarketParams(uint256 marketId, MarketParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        GovernanceLogic.validateMarketParams(params);
        _accrueFunding(marketId, oracle.getPrice(_marketParams[marketId].feedId));
        _marketParams[marketId] = params;
        emit MarketParamsSet(marketId, params);
    }

    /// @notice Replaces a market's margin table. The requirements move linearly from the old table to the new
    /// one over the market's `marginRampDuration`, so no position becomes liquidatable the instant this runs.
    function setMarginTiers(uint256 marketId, MarginTier[] calldata tiers) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        GovernanceLogic.setMarginTiers(
            _tiers,
            _previousTiers,
            _schedules,
            marketId,
            tiers,
            _risk.liquidationFeeRate,
            _marketParams[marketId].marginRampDuration
        );
    }

    /// @notice Sets the liquidation and fee-routing parameters.
    function setRiskParams(RiskParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        // The liquidation fraction's closed form needs the fee below every maintenance rate in force.
        GovernanceLogic.checkRiskParams(_tiers, _previousTiers, _schedules, _marketCount, params);
        _risk = params;
        emit RiskParamsSet(params);
    }

    /// @notice Stops risk-increasing trades. Deposits, withdrawals, reductions, closes and liquidations go on.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts a pause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ================================================================ views

    /// @inheritdoc IBallastCore
    function getAccount(uint256 accountId) external view returns (Account memory) {
        return _accounts[accountId];
    }

    /// @inheritdoc IBallastCore
    function getPosition(uint256 accountId, uint256 marketId) external view returns (Position memory) {
        return _positions[accountId][marketId];
    }

    /// @inheritdoc IBallastCore
    function accountHealth(uint256 accountId) external view returns (AccountHealth memory) {
        return _accountHealth(accountId, new uint256[](_marketCount));
    }

    /// @inheritdoc IBallastCore
    function previewLiquidation(uint256 accountId) external view returns (LiquidationPreview memory) {
        return _planLiquidation(accountId, new uint256[](_marketCount)).preview;
    }

    /// @inheritdoc IBallastCore
    function marketCount() external view returns (uint256) {
        return _marketCount;
    }

    /// @inheritdoc IBallastCore
    function getMarket(uint256 marketId)
        external
        view
        returns (MarketParams memory, MarketState memory, MarginTier[] memory)
    {
        return (_marketParams[marketId], _marketState[marketId], _table(_tiers[marketId], _schedules[marketId].tierCount));
    }

    /// @notice The ramp of a market's margin table: the table it started from and its start and end times.
    function marginRamp(uint256 marketId)
        external
        view
        returns (MarginTier[] memory previousTiers, uint256 start, uint256 end)
    {
        MarginSchedule memory schedule = _schedules[marketId];
        return (_table(_previousTiers[marketId], schedule.previousTierCount), schedule.rampStart, schedule.rampEnd);
    }

    /// @inheritdoc IBallastCore
    function marginRequirements(uint256 marketId, uint256 notional) external view returns (uint256, uint256) {
        _requireListed(marketId);
        return _requirements(marketId, notional);
    }

    /// @inheritdoc IBallastCore
    function currentFunding(uint256 marketId) external view returns (int256, int256) {
        _requireListed(marketId);
        return _pendingFunding(marketId, oracle.getPrice(_marketParams[marketId].feedId));
    }

    /// @inheritdoc IBallastCore
    function riskParams() external view returns (RiskParams memory) {
        return _risk;
    }

    /// @inheritdoc IBallastCore
    function vaultNetAssetValue() external view returns (int256 netAssetValue) {
        (netAssetValue,) = _vaultNetAssetValue();
    }

    /// @inheritdoc IBallastCore
    function ledgers() external view returns (int256 vaultLedger, uint256 insuranceLedger) {
        return (_vaultLedger, _insuranceLedger);
    }

    /// @inheritdoc IBallastCore
    function totalUnclaimedRewards() external view returns (uint256) {
        return _unclaimedRewards;
    }

    // ================================================================ internal: risk

    function _accountHealth(uint256 accountId, uint256[] memory prices)
        internal
        view
        returns (AccountHealth memory health)
    {
        Account memory account = _accounts[accountId];
        RiskTotals memory totals = _accountRisk(accountId, account, prices);
        health.margin = account.margin;
        health.equity = totals.equity;
        health.initialMargin = totals.initialMargin;
        health.maintenanceMargin = totals.maintenanceMargin;
        health.totalNotional = totals.totalNotional;
        health.healthFactor = MarginMath.healthFactor(totals.equity, totals.maintenanceMargin);
        health.marginRatio = MarginMath.marginRatio(totals.equity, totals.maintenanceMargin);
        health.withdrawable = MarginMath.withdrawableMargin(account.margin, totals.equity, totals.initialMargin);
        health.liquidatable = MarginMath.isLiquidatable(totals.equity, totals.maintenanceMargin);
    }

    /// @dev Equity, IM, MM and notional of an account, with funding accrued to now (without writing it).
    function _accountRisk(uint256 accountId, Account memory account, uint256[] memory prices)
        internal
        view
        returns (RiskTotals memory totals)
    {
        totals.equity = account.margin;
        uint256 remaining = account.activeMarkets;
        while (remaining != 0) {
            uint256 marketId = _lowestMarket(remaining);
            remaining &= remaining - 1;
            uint256 price = _priceOf(prices, marketId);
            (int256 fundingIndex,) = _pendingFunding(marketId, price);
            _addRisk(totals, _positionRisk(marketId, _positions[accountId][marketId], price, fundingIndex));
        }
    }

    function _positionRisk(uint256 marketId, Position memory position, uint256 price, int256 fundingIndex)
        internal
        view
        returns (PositionRisk memory risk)
    {
        if (position.size == 0) return risk;
        risk.value = PositionMath.unrealisedPnl(position.size, position.openNotional, price)
            - FundingMath.accruedFunding(position.size, position.lastFundingIndex, fundingIndex);
        risk.notional = PositionMath.notional(position.size, price);
        (risk.initialMargin, risk.maintenanceMargin) = _requirements(marketId, risk.notional);
    }

    function _addRisk(RiskTotals memory totals, PositionRisk memory risk) internal pure {
        totals.equity += risk.value;
        totals.initialMargin += risk.initialMargin;
        totals.maintenanceMargin += risk.maintenanceMargin;
        totals.totalNotional += risk.notional;
    }

    /// @dev A market's IM and MM for `notional`, interpolated while a new margin table ramps in.
    function _requirements(uint256 marketId, uint256 notional)
        internal
        view
        returns (uint256 initialMargin, uint256 maintenanceMargin)
    {
        MarginSchedule memory schedule = _schedules[marketId];
        (initialMargin, maintenanceMargin) =
            MarginTiers.requirements(_loadTiers(_tiers[marketId], schedule.tierCount, notional), notional);
        if (block.timestamp >= schedule.rampEnd) return (initialMargin, maintenanceMargin);
        (uint256 initialBefore, uint256 maintenanceBefore) = MarginTiers.requirements(
            _loadTiers(_previousTiers[marketId], schedule.previousTierCount, notional), notional
        );
        uint256 elapsed = block.timestamp - schedule.rampStart;
        uint256 duration = schedule.rampEnd - schedule.rampStart;
        initialMargin = MarginTiers.interpolate(initialBefore, initialMargin, elapsed, duration);
        maintenanceMargin = MarginTiers.interpolate(maintenanceBefore, maintenanceMargin, elapsed, duration);
    }

    /// @dev Copies the brackets that `notional` reaches (the rest cannot matter), saving a cold read per bracket.
    function _loadTiers(MarginTier[8] storage stored, uint256 count, uint256 notional)
        internal
        view
        returns (MarginTier[] memory tiers)
    {
        tiers = new MarginTier[](count);
        uint256 loaded;
        while (loaded < count) {
            MarginTier memory tier = stored[loaded];
            tiers[loaded++] = tier;
            if (notional <= tier.notionalCap) break;
        }
        // Shrinking the length is safe: the last loaded bracket covers `notional`, so the ones after it add 0.
        assembly ("memory-safe") {
            mstore(tiers, loaded)
        }
    }

    /// @dev The first `count` brackets of a stored table, as a dynamic array (for views).
    function _table(MarginTier[8] storage stored, uint256 count) internal view returns (MarginTier[] memory table) {
        table = new MarginTier[](count);
        for (uint256 i; i < count; ++i) {
            table[i] = stored[i];
        }
    }

    // ================================================================ internal: markets and funding

    /// @dev Reads each market's price at most once per call, through `prices` (0 = not read yet).
    function _priceOf(uint256[] memory prices, uint256 marketId) internal view returns (uint256 price) {
        price = prices[marketId];
        if (price == 0) {
            price = oracle.getPrice(_marketParams[marketId].feedId);
            prices[marketId] = price;
        }
    }

    /// @dev The funding index and rate as of now, including accrual since the last touch.
    function _pendingFunding(uint256 marketId, uint256 price)
        internal
        view
        returns (int256 fundingIndex, int256 ratePerSecond)
    {
        MarketState storage state = _marketState[marketId];
        MarketParams storage params = _marketParams[marketId];
        ratePerSecond = FundingMath.fundingRate(_skew(state), params.fundingScale, params.maxFundingRatePerSecond);
        fundingIndex = state.fundingIndex;
        uint256 elapsed = block.timestamp - state.lastFundingTime;
        if (elapsed != 0 && ratePerSecond != 0) {
            fundingIndex = FundingMath.nextIndex(fundingIndex, ratePerSecond, price, elapsed);
        }
    }

    /// @dev Advances a market's funding index to now at the skew it had since the last touch.
    function _accrueFunding(uint256 marketId, uint256 price) internal returns (int256 fundingIndex) {
        MarketState storage state = _marketState[marketId];
        if (state.lastFundingTime == block.timestamp) return state.fundingIndex;
        int256 ratePerSecond;
        (fundingIndex, ratePerSecond) = _pendingFunding(marketId, price);
        state.lastFundingTime = uint64(block.timestamp);
        if (ratePerSecond != 0) {
            state.fundingIndex = fundingIndex.toInt128();
            emit FundingAccrued(marketId, ratePerSecond, fundingIndex);
        }
    }

    /// @dev Moves a position's contribution in the market's aggregates from `before` to the new state. After a
    /// risk-increasing fill (`checkCap`), the side the position now sits on must be within its open-interest cap.
    function _updateMarket(
        uint256 marketId,
        Position memory before,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex,
        bool checkCap
    ) internal {
        MarketState storage state = _marketState[marketId];
        uint256 longOpenInterest = state.longOpenInterest;
        uint256 shortOpenInterest = state.shortOpenInterest;
        if (before.size > 0) longOpenInterest -= uint256(int256(before.size));
        else shortOpenInterest -= WadMath.abs(before.size);
        if (newSize > 0) longOpenInterest += uint256(newSize);
        else shortOpenInterest += WadMath.abs(newSize);
        if (checkCap) {
            uint256 cap = _marketParams[marketId].maxOpenInterestPerSide;
            uint256 openInterest = newSize > 0 ? longOpenInterest : shortOpenInterest;
            if (openInterest > cap) revert OpenInterestCapExceeded(marketId, openInterest, cap);
        }
        state.longOpenInterest = longOpenInterest.toUint128();
        state.shortOpenInterest = shortOpenInterest.toUint128();
        state.netOpenNotional = (state.netOpenNotional + newOpenNotional - before.openNotional).toInt128();
        // Each position's term is recomputed exactly from its stored fields, so updates cancel without drift.
        state.netFundingBasis = (
            state.netFundingBasis + WadMath.mulWadCeil(newSize, fundingIndex)
                - WadMath.mulWadCeil(before.size, before.lastFundingIndex)
        ).toInt128();
    }

    /// @dev Writes a position (deleting it when closed) and keeps the account's market bitmap in step.
    function _storePosition(
        uint256 accountId,
        uint256 marketId,
        Account memory account,
        int256 oldSize,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex
    ) internal returns (Position memory position) {
        uint64 bit = uint64(1 << marketId);
        if (newSize == 0) {
            delete _positions[accountId][marketId];
            if (oldSize != 0) _accounts[accountId].activeMarkets = account.activeMarkets & ~bit;
            return position;
        }
        position = Position(newSize.toInt128(), newOpenNotional.toInt128(), fundingIndex.toInt128());
        _positions[accountId][marketId] = position;
        if (oldSize == 0) {
            if (_popCount(account.activeMarkets) >= MAX_POSITIONS_PER_ACCOUNT) {
                revert TooManyPositions(accountId, MAX_POSITIONS_PER_ACCOUNT);
            }
            _accounts[accountId].activeMarkets = account.activeMarkets | bit;
        }
    }

    function _skew(MarketState storage state) internal view returns (int256) {
        return int256(uint256(state.longOpenInterest)) - int256(uint256(state.shortOpenInterest));
    }

    // ================================================================ internal: ledgers and vault

    /// @dev Traders gained `traderGain` (negative: lost it) against the vault.
    function _settleWithVault(int256 traderGain) internal {
        if (traderGain != 0) _vaultLedger = (_vaultLedger - traderGain).toInt128();
    }

    /// @dev Splits a trading fee: the insurance share rounded down, the rest to the vault.
    function _routeTradingFee(uint256 fee) internal {
        if (fee == 0) return;
        uint256 toInsurance = WadMath.mulWadDown(fee, _risk.insuranceFeeShare);
        _insuranceLedger += toInsurance.toUint128();
        _vaultLedger += (fee - toInsurance).toInt256().toInt128();
    }

    function _vaultNetAssetValue() internal view returns (int256 netAssetValue, uint256 reserve) {
        return VaultAccounting.netAssetValue(
            _marketParams, _marketState, _marketCount, oracle, _vaultLedger, _risk.vaultReserveFactor
        );
    }

    /// @dev A trader or LP payout of `amount` (WAD) must leave the insurance ledger and unclaimed keeper rewards
    /// fully backed by tokens. Only binds once realised trader profits exceed the LP ledger (counterparty
    /// insolvency): winners then share what is left, first come first served, never the insurance fund.
    function _requireFreeLiquidity(uint256 amount) internal view {
        uint256 balance = TOKEN.balanceOf(address(this)) * TOKEN_SCALE;
        uint256 owedToOthers = _insuranceLedger + _unclaimedRewards;
        uint256 available = balance > owedToOthers ? balance - owedToOthers : 0;
        if (amount > available) revert InsufficientLiquidity(amount, available);
    }

    /// @dev Pulls exactly `assets` from `from`, rejecting tokens that deliver less.
    function _pullExactly(address from, uint256 assets) internal {
        uint256 balanceBefore = TOKEN.balanceOf(address(this));
        TOKEN.safeTransferFrom(from, address(this), assets);
        uint256 received = TOKEN.balanceOf(address(this)) - balanceBefore;
        if (received != assets) revert FeeOnTransferNotSupported(assets, received);
    }

    // ================================================================ internal: checks and helpers

    function _authorizedAccount(uint256 accountId) internal view returns (Account memory account) {
        account = _accounts[accountId];
        if (account.owner == address(0)) revert AccountNotFound(accountId);
        if (msg.sender != account.owner && !isOperator[account.owner][msg.sender]) {
            revert Unauthorized(accountId, msg.sender);
        }
    }

    function _requireListed(uint256 marketId) internal view {
        if (marketId >= _marketCount) revert MarketNotListed(marketId);
    }

    /// @dev Index of the lowest set bit of a non-zero bitmap.
    function _lowestMarket(uint256 bitmap) internal pure returns (uint256) {
        // unchecked: 0 − bitmap is the two's complement; its AND with bitmap isolates the lowest set bit.
        unchecked {
            return Math.log2(bitmap & (0 - bitmap));
        }
    }

    function _popCount(uint256 bitmap) internal pure returns (uint256 count) {
        // unchecked: bitmap ≠ 0 inside the loop, and count ≤ 256.
        unchecked {
            for (; bitmap != 0; ++count) {
                bitmap &= bitmap - 1;
            }
        }
    }
}
