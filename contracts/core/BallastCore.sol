// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {
    Account,
    AccountHealth,
    IBallastCore,
    LiquidationPreview,
    MarketParams,
    MarketState,
    Position,
    RiskParams
} from "../interfaces/IBallastCore.sol";
import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {AccountRisk, PositionRisk, RiskTotals} from "../libraries/AccountRisk.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarginTier} from "../libraries/MarginTiers.sol";
import {ProfitHaircut} from "../libraries/ProfitHaircut.sol";
import {Fill, TradeMath} from "../libraries/TradeMath.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {CoreStorage} from "./CoreStorage.sol";
import {GovernanceLogic} from "./GovernanceLogic.sol";
import {LiquidationLogic} from "./LiquidationLogic.sol";
import {StateLogic} from "./StateLogic.sol";
import {VaultAccounting} from "./VaultAccounting.sol";
import {SettlementPrice} from "../orders/SettlementPrice.sol";

/// @title BallastCore
/// @notice The custody contract and margin engine of Ballast. See `IBallastCore` for the units and assumptions.
/// @dev The core orchestrates; pure libraries compute (`contracts/libraries`, each mirrored in `sdk/src/math`).
/// Every state-changing entry point follows one skeleton: checks → read prices once → accrue funding → library
/// math → storage → health check → event → token transfer last. All are `nonReentrant` (transient storage), so a
/// token with transfer hooks cannot re-enter. Liquidation, governance and vault valuation run in linked libraries
/// over the same `CoreStorage` (see docs/architecture.md for why).
contract BallastCore is IBallastCore, AccessControl, ReentrancyGuardTransient {
    using SafeCast for int256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;
    using StateLogic for CoreStorage;

    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Markets are ids 0..63, so an account's open markets fit a uint64 bitmap.
    uint256 public constant MAX_MARKETS = StateLogic.MAX_MARKETS;
    /// @notice Bounds the work of one liquidation (each position costs one price read and a few writes).
    uint256 public constant MAX_POSITIONS_PER_ACCOUNT = StateLogic.MAX_POSITIONS_PER_ACCOUNT;
    /// @notice `settleOrder`'s size delta meaning "close the whole position, whatever its size at settlement".
    int256 public constant CLOSE_POSITION = type(int256).min;

    IERC20 internal immutable TOKEN;
    /// @dev 10^(18 − token decimals): token units × TOKEN_SCALE = WAD USD.
    uint256 internal immutable TOKEN_SCALE;

    CoreStorage internal s;

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
        s.oracle = priceOracle;
        s.nextAccountId = 1;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        GovernanceLogic.validateRiskParams(initialRiskParams);
        s.risk = initialRiskParams;
        emit RiskParamsSet(initialRiskParams);
        emit OracleSet(priceOracle);
    }

    // ================================================================ accounts and collateral

    /// @inheritdoc IBallastCore
    function createAccount(bool isolated, uint256 isolatedMarketId) external returns (uint256 accountId) {
        if (isolated) _requireListed(isolatedMarketId);
        else isolatedMarketId = 0;
        accountId = s.nextAccountId++;
        // Cast is safe: listed market ids are < MAX_MARKETS = 64.
        s.accounts[accountId] = Account({
            owner: msg.sender,
            isolated: isolated,
            isolatedMarketId: uint8(isolatedMarketId),
            margin: 0,
            profit: 0,
            activeMarkets: 0
        });
        emit AccountCreated(accountId, msg.sender, isolated, isolatedMarketId);
    }

    /// @inheritdoc IBallastCore
    function setOperator(address operator, bool approved) external {
        s.isOperator[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
    }

    /// @inheritdoc IBallastCore
    function deposit(uint256 accountId, uint256 assets) external nonReentrant {
        if (assets == 0) revert ZeroAmount();
        Account storage account = s.accounts[accountId];
        if (account.owner == address(0)) revert AccountNotFound(accountId);

        int256 marginAfter = account.margin + (assets * TOKEN_SCALE).toInt256();
        account.margin = marginAfter.toInt96();
        emit MarginDeposited(accountId, msg.sender, assets, marginAfter);

        _pullExactly(msg.sender, assets);
    }

    /// @inheritdoc IBallastCore
    function withdraw(uint256 accountId, uint256 assets, address to) external nonReentrant {
        if (assets == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        Account memory account = _authorizedAccount(accountId);
        s.convertProfit(accountId, account);

        uint256 amount = assets * TOKEN_SCALE;
        RiskTotals memory totals = s.accountRisk(accountId, account, new uint256[](s.marketCount));
        uint256 available = MarginMath.withdrawableMargin(account.margin, totals.equity, totals.initialMargin);
        if (amount > available) revert WithdrawalExceedsAvailable(amount, available);

        // Principal only (profit converted above): tokens back it, so this check binds only beyond the waterfall.
        _requireFreeLiquidity(amount);
        // Cast is safe: amount ≤ available ≤ margin < 2^95.
        int256 marginAfter = account.margin - int256(amount);
        s.storeMargin(accountId, marginAfter, 0);
        emit MarginWithdrawn(accountId, to, assets, marginAfter);

        TOKEN.safeTransfer(to, assets);
    }

    // ================================================================ trading

    /// @inheritdoc IBallastCore
    function settleOrder(
        uint256 accountId,
        uint256 marketId,
        int256 sizeDelta,
        uint256 acceptablePrice,
        uint256 price
    ) external nonReentrant returns (uint256 fillPrice) {
        if (msg.sender != s.orderBook) revert OnlyOrderBook(msg.sender);
        _requireListed(marketId);
        // One price per market per transaction: this one, for every later read of the market (`StateLogic.priceOf`).
        uint256 settled = SettlementPrice.get(marketId);
        if (settled != 0 && settled != price) revert SettlementPriceConflict(marketId, settled, price);
        if (price == 0) revert ZeroAmount();
        SettlementPrice.set(marketId, price);
        Account memory account = s.accounts[accountId];
        if (account.owner == address(0)) revert AccountNotFound(accountId);
        if (sizeDelta == CLOSE_POSITION) sizeDelta = -int256(s.positions[accountId][marketId].size);
        return _trade(accountId, account, marketId, sizeDelta, acceptablePrice);
    }

    /// @inheritdoc IBallastCore
    function setOrderBook(address newOrderBook) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newOrderBook == address(0)) revert ZeroAddress();
        s.orderBook = newOrderBook;
        emit OrderBookSet(newOrderBook);
    }

    /// @inheritdoc IBallastCore
    function orderBook() external view returns (address) {
        return s.orderBook;
    }

    /// @dev The trade of a settled order: authorisation was checked at commit by the order book, the price is the
    /// order's verified settlement price (read back through `priceOf`).
    function _trade(
        uint256 accountId,
        Account memory account,
        uint256 marketId,
        int256 sizeDelta,
        uint256 acceptablePrice
    ) internal returns (uint256) {
        // Checks.
        if (sizeDelta == 0) revert ZeroAmount();
        if (account.isolated && account.isolatedMarketId != marketId) {
            revert IsolatedMarketMismatch(accountId, account.isolatedMarketId, marketId);
        }

        // Price once, accrue, and the account as it stands, its profit converted.
        s.convertProfit(accountId, account);
        uint256[] memory prices = new uint256[](s.marketCount);
        uint256 price = s.priceOf(prices, marketId);
        int256 fundingIndex = s.accrueFunding(marketId, price);
        RiskTotals memory totals = s.accountRisk(accountId, account, prices);
        // A liquidatable account may only add margin: trading out of it would dodge the liquidation fee.
        if (MarginMath.isLiquidatable(totals.equity, totals.maintenanceMargin)) {
            revert AccountLiquidatable(accountId, totals.equity, totals.maintenanceMargin);
        }

        // Math.
        Position memory before = s.loadPosition(accountId, marketId);
        Fill memory fill = _fill(before, marketId, sizeDelta, price, fundingIndex);
        if (fill.increasesRisk) {
            TradeMath.checkMinimumNotional(fill.newSize, price, s.marketParams[marketId].minPositionNotional);
        }
        if (sizeDelta > 0 ? fill.price > acceptablePrice : fill.price < acceptablePrice) {
            revert SlippageExceeded(fill.price, acceptablePrice);
        }
        if (fill.increasesRisk && s.paused) revert EnforcedPause();
        int256 marginAfter = account.margin + fill.realisedPnl - fill.fundingPaid;
        TradeMath.checkFeeCovered(marginAfter, fill.fee);
        marginAfter -= int256(fill.fee);

        // Storage.
        s.updateMarket(marketId, before, fill.newSize, fill.newOpenNotional, fundingIndex, fill.increasesRisk, price);
        s.storePosition(
            accountId,
            marketId,
            account.activeMarkets,
            before.size,
            fill.newSize,
            fill.newOpenNotional,
            fundingIndex
        );
        s.settleWithVault(fill.realisedPnl - fill.fundingPaid);
        _routeTradingFee(fill.fee);
        // Checked below at what the margin is worth: new profit at the haircut ratio.
        int256 haircut = s.storeMargin(accountId, marginAfter, fill.realisedPnl - fill.fundingPaid);

        // Health: the totals before with this market's change (no second pass over the account).
        PositionRisk memory riskBefore = s.positionRisk(marketId, before, price, fundingIndex);
        PositionRisk memory riskAfter = s.positionRisk(
            marketId,
            Position(fill.newSize.toInt128(), fill.newOpenNotional.toInt128(), fundingIndex.toInt128()),
            price,
            fundingIndex
        );
        TradeMath.checkAccountAfter(
            AccountRisk.replaceRisk(totals, riskBefore, riskAfter, marginAfter - haircut - account.margin),
            fill.increasesRisk
        );

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
            fundingIndex,
            marginAfter
        );
        return fill.price;
    }

    function _fill(
        Position memory position,
        uint256 marketId,
        int256 sizeDelta,
        uint256 price,
        int256 fundingIndex
    ) internal view returns (Fill memory) {
        MarketParams storage params = s.marketParams[marketId];
        return
            TradeMath.priceFill(
                position.size,
                position.openNotional,
                position.lastFundingIndex,
                sizeDelta,
                price,
                fundingIndex,
                StateLogic.skew(s.marketState[marketId]),
                params.skewScale,
                params.makerFeeRate,
                params.takerFeeRate
            );
    }

    // ================================================================ liquidation

    /// @inheritdoc IBallastCore
    function liquidate(uint256 accountId, address recipient) external nonReentrant returns (LiquidationPreview memory) {
        if (recipient == address(0)) revert ZeroAddress();
        return LiquidationLogic.liquidate(s, accountId, recipient);
    }

    /// @inheritdoc IBallastCore
    function liquidateMany(
        uint256[] calldata accountIds,
        address recipient
    ) external nonReentrant returns (bool[] memory) {
        if (recipient == address(0)) revert ZeroAddress();
        return LiquidationLogic.liquidateMany(s, accountIds, recipient);
    }

    /// @inheritdoc IBallastCore
    function claimRewards(address to) external nonReentrant returns (uint256 assets) {
        if (to == address(0)) revert ZeroAddress();
        assets = s.claimableRewards[msg.sender] / TOKEN_SCALE;
        if (assets == 0) revert NothingToClaim(msg.sender);
        // Sub-unit dust stays claimable for later.
        s.claimableRewards[msg.sender] -= assets * TOKEN_SCALE;
        s.unclaimedRewards -= assets * TOKEN_SCALE;
        emit RewardsClaimed(msg.sender, to, assets);
        TOKEN.safeTransfer(to, assets);
    }

    // ================================================================ vault and insurance hooks

    /// @inheritdoc IBallastLedger
    function collateralToken() external view returns (IERC20) {
        return TOKEN;
    }

    /// @inheritdoc IBallastLedger
    function vaultTotalAssets() external view returns (uint256) {
        (int256 netAssetValue, ) = _vaultNetAssetValue();
        return WadMath.positivePart(netAssetValue) / TOKEN_SCALE;
    }

    /// @inheritdoc IBallastLedger
    function vaultWithdrawableAssets() public view returns (uint256) {
        (int256 netAssetValue, uint256 reserve) = _vaultNetAssetValue();
        // LPs, like traders, cannot take out unrealised gains: cap at the realised ledger too.
        uint256 free = Math.min(
            WadMath.positivePart(netAssetValue - reserve.toInt256()),
            WadMath.positivePart(s.vaultLedger)
        );
        return free / TOKEN_SCALE;
    }

    /// @inheritdoc IBallastLedger
    function vaultInDeficit() external view returns (bool) {
        (int256 netAssetValue, ) = _vaultNetAssetValue();
        return netAssetValue < 0;
    }

    /// @inheritdoc IBallastLedger
    function creditVault(uint256 assets) external {
        if (msg.sender != s.vault) revert OnlyVault(msg.sender);
        s.vaultLedger += (assets * TOKEN_SCALE).toInt256().toInt128();
        emit VaultCredited(assets);
    }

    /// @inheritdoc IBallastLedger
    function debitVault(address receiver, uint256 assets) external nonReentrant {
        if (msg.sender != s.vault) revert OnlyVault(msg.sender);
        uint256 withdrawable = vaultWithdrawableAssets();
        if (assets > withdrawable) revert VaultReserveBreached(assets, withdrawable);
        _requireFreeLiquidity(assets * TOKEN_SCALE);
        s.vaultLedger -= (assets * TOKEN_SCALE).toInt256().toInt128();
        emit VaultDebited(receiver, assets);
        TOKEN.safeTransfer(receiver, assets);
    }

    /// @inheritdoc IBallastLedger
    function insuranceTotalAssets() external view returns (uint256) {
        return s.insuranceLedger / TOKEN_SCALE;
    }

    /// @inheritdoc IBallastLedger
    function creditInsurance(uint256 assets) external {
        if (msg.sender != s.insurancePool) revert OnlyInsurancePool(msg.sender);
        s.insuranceLedger += (assets * TOKEN_SCALE).toUint128();
        emit InsuranceCredited(assets);
    }

    /// @inheritdoc IBallastLedger
    function debitInsurance(address receiver, uint256 assets) external nonReentrant {
        if (msg.sender != s.insurancePool) revert OnlyInsurancePool(msg.sender);
        uint256 available = s.insuranceLedger / TOKEN_SCALE;
        if (assets > available) revert InsufficientInsurance(assets, available);
        s.insuranceLedger -= (assets * TOKEN_SCALE).toUint128();
        emit InsuranceDebited(receiver, assets);
        TOKEN.safeTransfer(receiver, assets);
    }

    // ================================================================ governance

    /// @inheritdoc IBallastCore
    function initializePools(address liquidityVault, address insurance) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (s.vault != address(0)) revert AlreadyInitialized();
        if (liquidityVault == address(0) || insurance == address(0)) revert ZeroAddress();
        s.vault = liquidityVault;
        s.insurancePool = insurance;
        emit PoolsInitialized(liquidityVault, insurance);
    }

    /// @inheritdoc IBallastCore
    function setOracle(IPriceOracle newOracle) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(newOracle) == address(0)) revert ZeroAddress();
        s.oracle = newOracle;
        emit OracleSet(newOracle);
    }

    /// @inheritdoc IBallastCore
    function listMarket(MarketParams calldata params, MarginTier[] calldata tiers)
        external
        onlyRole(RISK_MANAGER_ROLE)
        returns (uint256)
    {
        return GovernanceLogic.listMarket(s, params, tiers);
    }

    /// @inheritdoc IBallastCore
    function setMarketParams(uint256 marketId, MarketParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        GovernanceLogic.setMarketParams(s, marketId, params);
    }

    /// @inheritdoc IBallastCore
    function setMarginTiers(uint256 marketId, MarginTier[] calldata tiers) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        GovernanceLogic.setMarginTiers(s, marketId, tiers);
    }

    /// @inheritdoc IBallastCore
    function setRiskParams(RiskParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        GovernanceLogic.setRiskParams(s, params);
    }

    /// @inheritdoc IBallastCore
    function pause() external onlyRole(PAUSER_ROLE) {
        if (s.paused) revert EnforcedPause();
        s.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IBallastCore
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!s.paused) revert ExpectedPause();
        s.paused = false;
        emit Unpaused(msg.sender);
    }

    // ================================================================ views

    /// @inheritdoc IBallastCore
    function getAccount(uint256 accountId) external view returns (Account memory) {
        return s.accounts[accountId];
    }

    /// @inheritdoc IBallastCore
    function getPosition(uint256 accountId, uint256 marketId) external view returns (Position memory) {
        return s.loadPosition(accountId, marketId);
    }

    /// @inheritdoc IBallastCore
    function accountHealth(uint256 accountId) external view returns (AccountHealth memory) {
        return LiquidationLogic.accountHealth(s, accountId);
    }

    /// @inheritdoc IBallastCore
    function previewLiquidation(uint256 accountId) external view returns (LiquidationPreview memory) {
        return LiquidationLogic.previewLiquidation(s, accountId);
    }

    /// @inheritdoc IBallastCore
    function paused() external view returns (bool) {
        return s.paused;
    }

    /// @inheritdoc IBallastCore
    function marketCount() external view returns (uint256) {
        return s.marketCount;
    }

    /// @inheritdoc IBallastCore
    function getMarket(
        uint256 marketId
    ) external view returns (MarketParams memory, MarketState memory, MarginTier[] memory) {
        return GovernanceLogic.getMarket(s, marketId);
    }

    /// @inheritdoc IBallastCore
    function marginRamp(
        uint256 marketId
    ) external view returns (MarginTier[] memory previousTiers, uint256 start, uint256 end) {
        return GovernanceLogic.marginRamp(s, marketId);
    }

    /// @inheritdoc IBallastCore
    function marginRequirements(uint256 marketId, uint256 notional) external view returns (uint256, uint256) {
        _requireListed(marketId);
        return s.requirements(marketId, notional);
    }

    /// @inheritdoc IBallastCore
    function currentFunding(uint256 marketId) external view returns (int256, int256) {
        _requireListed(marketId);
        return s.pendingFunding(marketId, s.oracle.getPrice(s.marketParams[marketId].feedId));
    }

    /// @inheritdoc IBallastCore
    function riskParams() external view returns (RiskParams memory) {
        return s.risk;
    }

    /// @inheritdoc IBallastCore
    function oracle() external view returns (IPriceOracle) {
        return s.oracle;
    }

    /// @inheritdoc IBallastCore
    function vault() external view returns (address) {
        return s.vault;
    }

    /// @inheritdoc IBallastCore
    function insurancePool() external view returns (address) {
        return s.insurancePool;
    }

    /// @inheritdoc IBallastCore
    function isOperator(address owner, address operator) external view returns (bool) {
        return s.isOperator[owner][operator];
    }

    /// @inheritdoc IBallastCore
    function claimableRewards(address recipient) external view returns (uint256) {
        return s.claimableRewards[recipient];
    }

    /// @inheritdoc IBallastCore
    function vaultNetAssetValue() external view returns (int256 netAssetValue) {
        (netAssetValue, ) = _vaultNetAssetValue();
    }

    /// @inheritdoc IBallastCore
    function ledgers() external view returns (int256 vaultLedger, uint256 insuranceLedger) {
        return (s.vaultLedger, s.insuranceLedger);
    }

    /// @inheritdoc IBallastCore
    function profitHaircut() external view returns (uint256 totalProfit, int256 tradersPnl, uint256 haircutRatio) {
        (totalProfit, tradersPnl) = (s.totalProfit, s.tradersPnl);
        haircutRatio = ProfitHaircut.ratio(totalProfit, s.vaultLedger, tradersPnl);
    }

    /// @inheritdoc IBallastCore
    function totalUnclaimedRewards() external view returns (uint256) {
        return s.unclaimedRewards;
    }

    // ================================================================ internal

    /// @dev Splits a trading fee: the insurance share rounded down, the rest to the vault; all of it to the vault
    /// while the LP ledger is negative, where it restores what backs traders' unconverted profit.
    function _routeTradingFee(uint256 fee) internal {
        if (fee == 0) return;
        uint256 toInsurance = s.vaultLedger < 0 ? 0 : WadMath.mulWadDown(fee, s.risk.insuranceFeeShare);
        s.insuranceLedger += toInsurance.toUint128();
        s.vaultLedger += (fee - toInsurance).toInt256().toInt128();
    }

    function _vaultNetAssetValue() internal view returns (int256 netAssetValue, uint256 reserve) {
        return
            VaultAccounting.netAssetValue(
                s.marketParams,
                s.marketState,
                s.marketCount,
                s.oracle,
                s.vaultLedger,
                s.risk.vaultReserveFactor
            );
    }

    /// @dev A trader or LP payout of `amount` (WAD) must leave the insurance ledger and unclaimed keeper rewards
    /// fully backed by tokens. Only binds once realised trader profits exceed the LP ledger (counterparty
    /// insolvency): winners then share what is left, first come first served, never the insurance fund.
    function _requireFreeLiquidity(uint256 amount) internal view {
        uint256 balance = TOKEN.balanceOf(address(this)) * TOKEN_SCALE;
        uint256 owedToOthers = s.insuranceLedger + s.unclaimedRewards;
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

    function _authorizedAccount(uint256 accountId) internal view returns (Account memory account) {
        account = s.accounts[accountId];
        if (account.owner == address(0)) revert AccountNotFound(accountId);
        if (msg.sender != account.owner && !s.isOperator[account.owner][msg.sender]) {
            revert Unauthorized(accountId, msg.sender);
        }
    }

    function _requireListed(uint256 marketId) internal view {
        if (marketId >= s.marketCount) revert MarketNotListed(marketId);
    }

}
