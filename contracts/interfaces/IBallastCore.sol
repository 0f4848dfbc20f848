// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginTier} from "../libraries/MarginTiers.sol";
import {IBallastErrors} from "./IBallastErrors.sol";
import {IBallastLedger} from "./IBallastLedger.sol";
import {IPriceOracle} from "./IPriceOracle.sol";

/// @notice Units used throughout: amounts are WAD (1e18) USD unless named `assets` (collateral-token units);
/// prices are WAD USD per whole base unit; sizes are signed WAD base units (long > 0); rates are WAD
/// (1e18 = 100%), funding rates per second.

/// @notice Per-market trading parameters (3 storage slots).
struct MarketParams {
    bytes32 feedId; // oracle feed of the mark price
    uint128 maxOpenInterestPerSide; // base units, per side
    uint128 minPositionNotional; // WAD USD, for risk-increasing trades
    uint128 skewScale; // base units; premium = averageSkew / skewScale; 0 disables it
    uint64 takerFeeRate; // WAD of notional, on the part that grows |skew|
    uint64 makerFeeRate; // WAD of notional, on the part that shrinks |skew|
    uint128 fundingScale; // base units of skew at which funding reaches its max rate; 0 disables funding
    uint64 maxFundingRatePerSecond; // WAD per second
    uint32 marginRampDuration; // seconds over which a new margin table phases in
}

/// @notice Per-market running state, in three slots. The first holds what every trade and liquidation both reads
/// and writes (the funding accrual and the traders' PnL), so that it costs one cold read and one write.
/// @dev Ranges: a funding index of ±$39.6B per base unit and a market's traders' PnL of ±$39.6B (int96 WAD),
/// checked with SafeCast where they are written (a trade or liquidation that would exceed them reverts).
struct MarketState {
    int96 fundingIndex; // WAD USD per base unit, cumulative
    uint64 lastFundingTime;
    int96 tradersPnl; // traders' net unrealised PnL at the exit price of the last trade or liquidation (WAD USD)
    uint128 longOpenInterest; // base units
    uint128 shortOpenInterest; // base units
    int128 netOpenNotional; // Σ openNotional of all positions (WAD USD)
    int128 netFundingBasis; // Σ mulWadCeil(size, entry funding index) of all positions (WAD USD), for the vault's NAV
}

/// @notice Protocol-wide liquidation and fee-routing parameters, in three slots grouped by the operation that reads
/// them: a trade reads only the first (fee routing and capacity), a liquidation the second and third.
struct RiskParams {
    uint64 insuranceFeeShare; // WAD share of trading fees routed to the insurance pool
    // Capacity, as fractions (WAD) of LP capital (the realised LP ledger), each checked after a risk-increasing
    // trade in the traded market; 0 switches a check off.
    uint64 maxOpenInterestFactor; // each side's open-interest notional ≤ factor × LP capital
    uint64 maxSkewFactor; // |skew| notional ≤ factor × LP capital, when the trade grows |skew|
    uint64 maxPnlFactor; // traders' net unrealised PnL in the market ≤ factor × LP capital (GMX's MAX_PNL_FACTOR)
    uint64 liquidationFeeRate; // WAD of closed notional; must stay below every market's lowest MM rate
    uint64 keeperRewardShare; // WAD share of the liquidation fee paid to the liquidator's recipient
    uint64 liquidationBuffer; // WAD; a partial liquidation restores health ≥ 1 + buffer
    uint64 fullLiquidationHealthFactor; // WAD; below this health factor, liquidation is full
    uint96 minRemainingNotional; // WAD USD; a partial that would leave less is made full; also the smallest
    // close that earns the reward floor (dust earns none)
    uint96 keeperRewardFloor; // WAD USD; the least a keeper earns for a close of ≥ minRemainingNotional, topped
    // up from insurance when the account cannot pay it (bankrupt accounts)
    uint64 vaultReserveFactor; // WAD of the net-skew notional that LP withdrawals must leave in the vault
}

/// @notice The header of a market's margin tables (one slot): how many brackets the current and the previous
/// table have, and the interval over which requirements move from the previous table to the current one.
struct MarginSchedule {
    uint64 rampStart;
    uint64 rampEnd;
    uint8 tierCount;
    uint8 previousTierCount;
}

/// @notice An account: owned by `owner`, cross (many markets) or isolated (one market).
/// @dev `margin` is at face value; `profit` (≤ margin) is the part of it that is realised profit not yet converted
/// to principal. Principal (margin − profit) is always backed by tokens; profit is worth `haircutRatio` of its face
/// until the account's next operation converts it (DESIGN §8, `ProfitHaircut`). Two slots: the second packs
/// margin (±$39.6B), profit ($79.2B) and the market bitmap.
struct Account {
    address owner;
    bool isolated;
    uint8 isolatedMarketId;
    int96 margin; // WAD USD, realised: deposits − withdrawals + realised PnL − funding paid − fees − haircuts
    uint96 profit; // WAD USD, realised profit awaiting conversion at the haircut ratio (0 ≤ profit ≤ margin)
    uint64 activeMarkets; // bitmap of markets with an open position
}

/// @notice A position. (size, openNotional) give PnL; lastFundingIndex is where funding was last settled.
struct Position {
    int128 size;
    int128 openNotional;
    int128 lastFundingIndex;
}

/// @notice An account's risk, as the contracts compute it.
struct AccountHealth {
    int256 margin;
    int256 equity; // margin + Σ (unrealisedPnl − accruedFunding)
    uint256 initialMargin;
    uint256 maintenanceMargin;
    uint256 totalNotional;
    uint256 healthFactor; // equity / MM, WAD; max uint when MM = 0
    uint256 marginRatio; // MM / equity, WAD; max uint when equity ≤ 0 < MM
    uint256 withdrawable; // WAD USD that may leave now
    bool liquidatable;
}

/// @notice What a liquidation of an account would do now (the same computation as `liquidate`).
struct LiquidationPreview {
    bool liquidatable;
    bool full;
    uint256 fraction; // WAD of every position closed
    int256 equityBefore;
    uint256 maintenanceMarginBefore;
    uint256 closedNotional;
    uint256 fee; // total liquidation fee, WAD USD
    int256 equityAfter;
    uint256 maintenanceMarginAfter;
    uint256 badDebt; // WAD USD written off (insurance first, then the vault)
}

/// @title IBallastCore
/// @notice The Ballast custody and margin engine: accounts, collateral, positions, trades, funding,
/// liquidation, and the internal ledgers of traders, LPs (the vault) and the insurance pool.
/// @dev Assumptions: the collateral token is a plain ERC-20 with ≤ 18 decimals that moves exactly the amount
/// asked (fee-on-transfer tokens are rejected) and does not rebase. The oracle reverts rather than return a
/// bad price. Warning: an approved operator can trade and withdraw from all of its owner's accounts.
interface IBallastCore is IBallastLedger, IBallastErrors {
    // ---------------------------------------------------------------- errors

    /// @notice No account has id `accountId`.
    error AccountNotFound(uint256 accountId);
    /// @notice `caller` is neither the owner of `accountId` nor an operator the owner approved.
    error Unauthorized(uint256 accountId, address caller);
    /// @notice No market has id `marketId`.
    error MarketNotListed(uint256 marketId);
    /// @notice Account `accountId` is isolated to `isolatedMarketId` and cannot trade `marketId`.
    error IsolatedMarketMismatch(uint256 accountId, uint256 isolatedMarketId, uint256 marketId);
    /// @notice Account `accountId` already holds `maxPositions` positions.
    error TooManyPositions(uint256 accountId, uint256 maxPositions);
    /// @notice `maxMarkets` markets are listed already.
    error TooManyMarkets(uint256 maxMarkets);
    /// @notice A risk-increasing trade or a withdrawal would leave equity below initial margin.
    error InsufficientMargin(int256 equity, uint256 initialMargin);
    /// @notice A withdrawal asks for more than the account may release (WAD USD).
    error WithdrawalExceedsAvailable(uint256 requested, uint256 available);
    /// @notice The account is liquidatable: it can add margin, and be liquidated, but not trade.
    error AccountLiquidatable(uint256 accountId, int256 equity, uint256 maintenanceMargin);
    /// @notice A reduction would leave the account liquidatable, or with negative equity.
    error ReductionLeavesAccountUnhealthy(int256 equity, uint256 maintenanceMargin);
    /// @notice Account `accountId` is not liquidatable: equity is above maintenance margin.
    error AccountNotLiquidatable(uint256 accountId, int256 equity, uint256 maintenanceMargin);
    /// @notice The fill price is worse than the acceptable price (above it for buys, below it for sells).
    error SlippageExceeded(uint256 fillPrice, uint256 acceptablePrice);
    /// @notice The trade would take the side of `marketId` it leaves open to `openInterest`, above `cap`.
    error OpenInterestCapExceeded(uint256 marketId, uint256 openInterest, uint256 cap);
    /// @notice The trade would take a side of `marketId` to `openInterestNotional`, above `capacity` (the
    /// `maxOpenInterestFactor` of LP capital).
    error OpenInterestCapacityExceeded(uint256 marketId, uint256 openInterestNotional, uint256 capacity);
    /// @notice The trade would grow the skew of `marketId` to `skewNotional`, above `capacity` (the `maxSkewFactor`
    /// of LP capital).
    error SkewCapacityExceeded(uint256 marketId, uint256 skewNotional, uint256 capacity);
    /// @notice Traders' net unrealised PnL in `marketId` would be `traderPnl`, above `capacity` (the `maxPnlFactor`
    /// of LP capital): new risk waits until it falls (prices, funding, closes) or LP capital grows.
    error PnlCapacityExceeded(uint256 marketId, uint256 traderPnl, uint256 capacity);
    /// @notice A risk-increasing trade would leave a position of `notional` (WAD USD), below `minNotional`.
    error PositionBelowMinimum(uint256 notional, uint256 minNotional);
    /// @notice A new margin table cannot start before the current ramp of `marketId` ends at `rampEnd`.
    error RampInProgress(uint256 marketId, uint256 rampEnd);
    /// @notice A listed market's price feed cannot change: switching it would move every open position's mark price
    /// at once. List a new market instead.
    error FeedIdImmutable(uint256 marketId, bytes32 feedId);
    /// @notice The vault and the insurance pool are set once.
    error AlreadyInitialized();
    /// @notice Only the liquidity vault may call this; `caller` is not it.
    error OnlyVault(address caller);
    /// @notice Only the insurance pool may call this; `caller` is not it.
    error OnlyInsurancePool(address caller);
    /// @notice An LP withdrawal of `assets` exceeds what the vault may release now, `withdrawableAssets`.
    error VaultReserveBreached(uint256 assets, uint256 withdrawableAssets);
    /// @notice An insurance payout of `assets` exceeds the insurance ledger, `availableAssets` (token units).
    error InsufficientInsurance(uint256 assets, uint256 availableAssets);
    /// @notice `recipient` has no whole token unit of keeper rewards to claim.
    error NothingToClaim(address recipient);
    /// @notice A trader or LP payout would spend tokens that the insurance ledger or unclaimed keeper rewards are
    /// owed (only possible once traders' realised profits exceed the LP ledger). Amounts in WAD USD.
    error InsufficientLiquidity(uint256 requested, uint256 available);
    /// @notice A trade's `fee` exceeds `payableMargin`, the realised margin left after its PnL and funding (WAD USD):
    /// fees never make realised margin negative. Deposit, or realise profits elsewhere first.
    error FeeExceedsMargin(uint256 fee, uint256 payableMargin);
    /// @notice A risk-increasing action was attempted while the protocol is paused (also: `pause` while paused).
    error EnforcedPause();
    /// @notice `unpause` while not paused.
    error ExpectedPause();
    /// @notice Only the order book may settle orders; `caller` is not it.
    error OnlyOrderBook(address caller);
    /// @notice `marketId` already settled at `settledPrice` in this transaction; a market has one price per
    /// transaction, so it cannot settle at `price` too.
    error SettlementPriceConflict(uint256 marketId, uint256 settledPrice, uint256 price);

    // ---------------------------------------------------------------- events

    /// @notice `owner` opened account `accountId`, isolated to `isolatedMarketId` when `isolated`.
    event AccountCreated(uint256 indexed accountId, address indexed owner, bool isolated, uint256 isolatedMarketId);
    /// @notice `owner` approved (or revoked) `operator` for all of its accounts.
    event OperatorSet(address indexed owner, address indexed operator, bool approved);
    /// @notice `from` added `assets` (token units) to `accountId`; its margin is now `marginAfter` (WAD USD).
    event MarginDeposited(uint256 indexed accountId, address indexed from, uint256 assets, int256 marginAfter);
    /// @notice `assets` (token units) left `accountId` for `to`; its margin is now `marginAfter` (WAD USD).
    event MarginWithdrawn(uint256 indexed accountId, address indexed to, uint256 assets, int256 marginAfter);
    /// @notice A trade. With `fundingIndex`, every field an indexer needs to rebuild the position and margin.
    event PositionTraded(
        uint256 indexed accountId,
        uint256 indexed marketId,
        int256 sizeDelta,
        uint256 fillPrice,
        uint256 fee,
        int256 realisedPnl,
        int256 fundingPaid,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex,
        int256 marginAfter
    );
    /// @notice Part (`closedSize`) of a position closed by a liquidation at `fillPrice` (the price a close of that
    /// size gets: the mark with the skew premium); the position after.
    event PositionLiquidated(
        uint256 indexed accountId,
        uint256 indexed marketId,
        int256 closedSize,
        uint256 fillPrice,
        int256 realisedPnl,
        int256 fundingPaid,
        int256 newSize,
        int256 newOpenNotional,
        int256 fundingIndex
    );
    /// @notice An account was liquidated by `liquidator` (reward to `recipient`): the fraction closed, the fee,
    /// the keeper's part of it, and the margin after (0 after a bad-debt write-off).
    event AccountLiquidated(
        uint256 indexed accountId,
        address indexed liquidator,
        address indexed recipient,
        bool full,
        uint256 fraction,
        uint256 closedNotional,
        uint256 fee,
        uint256 keeperReward,
        int256 marginAfter
    );
    /// @notice `profit` of unconverted realised profit became principal: `paid` of it kept, the rest (the
    /// haircut, non-zero only while LP capital is short) returned to the LP ledger.
    event ProfitConverted(uint256 indexed accountId, uint256 profit, uint256 paid);
    /// @notice Bad debt written off: insurance first, the rest socialised to the LP ledger (and, beyond LP capital,
    /// to unconverted profit through the haircut ratio).
    event BadDebtSettled(uint256 indexed accountId, uint256 badDebt, uint256 coveredByInsurance, uint256 socialised);
    /// @notice Funding of `marketId` accrued at `ratePerSecond`; the cumulative index is now `fundingIndex`.
    event FundingAccrued(uint256 indexed marketId, int256 ratePerSecond, int256 fundingIndex);
    /// @notice `recipient` claimed `assets` (token units) of keeper rewards, paid to `to`.
    event RewardsClaimed(address indexed recipient, address indexed to, uint256 assets);
    /// @notice The vault credited `assets` (token units) of LP deposits to the LP ledger.
    event VaultCredited(uint256 assets);
    /// @notice The vault paid `assets` (token units) of LP redemptions to `receiver`.
    event VaultDebited(address indexed receiver, uint256 assets);
    /// @notice The insurance pool credited `assets` (token units) of stakes to the insurance ledger.
    event InsuranceCredited(uint256 assets);
    /// @notice The insurance pool paid `assets` (token units) of unstakes to `receiver`.
    event InsuranceDebited(address indexed receiver, uint256 assets);
    /// @notice Market `marketId` listed with `params`.
    event MarketListed(uint256 indexed marketId, MarketParams params);
    /// @notice Market `marketId`'s parameters replaced by `params`.
    event MarketParamsSet(uint256 indexed marketId, MarketParams params);
    /// @notice Market `marketId`'s margin table moves to `tiers` linearly between `rampStart` and `rampEnd`.
    event MarginTiersSet(uint256 indexed marketId, MarginTier[] tiers, uint256 rampStart, uint256 rampEnd);
    /// @notice The liquidation and fee-routing parameters are now `params`.
    event RiskParamsSet(RiskParams params);
    /// @notice Mark prices are now read from `oracle`.
    event OracleSet(IPriceOracle oracle);
    /// @notice The liquidity vault and the insurance pool were set (once).
    event PoolsInitialized(address vault, address insurancePool);
    /// @notice Risk-increasing trades stopped by `account` (a PAUSER_ROLE holder).
    event Paused(address account);
    /// @notice Risk-increasing trades allowed again by `account`.
    event Unpaused(address account);
    /// @notice Orders are now settled through `orderBook`.
    event OrderBookSet(address orderBook);

    // ---------------------------------------------------------------- accounts and collateral

    /// @notice Opens an account owned by the caller. Isolated accounts trade `isolatedMarketId` only.
    function createAccount(bool isolated, uint256 isolatedMarketId) external returns (uint256 accountId);

    /// @notice Lets `operator` trade and withdraw for all of the caller's accounts (or revokes it).
    function setOperator(address operator, bool approved) external;

    /// @notice Adds `assets` of collateral to `accountId` from the caller. Anyone may top up any account;
    /// it needs no price, and works while paused.
    function deposit(uint256 accountId, uint256 assets) external;

    /// @notice Withdraws `assets` to `to`: at most the realised margin, and leaving equity ≥ initial margin.
    /// @dev Warning: if traders' realised profits have pushed the LP ledger below zero, payouts are also limited to
    /// the tokens not owed to the insurance pool and to keepers (`InsufficientLiquidity`).
    function withdraw(uint256 accountId, uint256 assets, address to) external;

    // ---------------------------------------------------------------- trading

    /// @notice Executes a settled order (DESIGN §4, §7): buys (`sizeDelta` > 0) or sells in `marketId` at `price`
    /// plus the skew premium, with every check of a trade (margin, caps, pause, slippage, minimum size). Only the
    /// order book calls it, after verifying `price` (a pull-oracle update published at or after the order's commit
    /// time plus the delay). `price` becomes `marketId`'s price for the rest of the transaction.
    /// @param sizeDelta Signed WAD base units, or `CLOSE_POSITION` (type(int256).min) to close the whole position.
    /// @param acceptablePrice Worst fill accepted: the maximum for buys, the minimum for sells.
    /// @param price The verified settlement price, WAD USD per base unit.
    /// @return fillPrice The price the trade filled at.
    function settleOrder(uint256 accountId, uint256 marketId, int256 sizeDelta, uint256 acceptablePrice, uint256 price)
        external
        returns (uint256 fillPrice);

    /// @notice Sets the order book, the only caller of `settleOrder`. DEFAULT_ADMIN_ROLE.
    function setOrderBook(address newOrderBook) external;

    /// @notice The order book, the only caller of `settleOrder`.
    function orderBook() external view returns (address);

    // ---------------------------------------------------------------- liquidation

    /// @notice Liquidates `accountId` (reverts unless liquidatable); the keeper reward is credited to
    /// `recipient`, claimable with `claimRewards`. When the caller is the owner or its operator, the reward
    /// goes to the insurance pool instead: liquidating yourself is never cheaper than being liquidated.
    function liquidate(uint256 accountId, address recipient) external returns (LiquidationPreview memory result);

    /// @notice Liquidates every liquidatable account in `accountIds`, skipping the others.
    /// @return liquidated For each account, whether it was liquidated.
    function liquidateMany(uint256[] calldata accountIds, address recipient)
        external
        returns (bool[] memory liquidated);

    /// @notice Pays the caller's accrued keeper rewards to `to`.
    function claimRewards(address to) external returns (uint256 assets);

    // ---------------------------------------------------------------- views

    function getAccount(uint256 accountId) external view returns (Account memory);
    function getPosition(uint256 accountId, uint256 marketId) external view returns (Position memory);
    function accountHealth(uint256 accountId) external view returns (AccountHealth memory);
    function previewLiquidation(uint256 accountId) external view returns (LiquidationPreview memory);
    function marketCount() external view returns (uint256);
    /// @notice Whether risk-increasing trades are stopped.
    function paused() external view returns (bool);
    function getMarket(uint256 marketId)
        external
        view
        returns (MarketParams memory params, MarketState memory state, MarginTier[] memory tiers);
    /// @notice The margin requirements a position of `notional` has in `marketId` now (ramp included).
    function marginRequirements(uint256 marketId, uint256 notional)
        external
        view
        returns (uint256 initialMargin, uint256 maintenanceMargin);
    /// @notice The funding index and rate of `marketId` as of now (pending accrual included).
    function currentFunding(uint256 marketId) external view returns (int256 fundingIndex, int256 ratePerSecond);
    function riskParams() external view returns (RiskParams memory);
    /// @notice The ramp of a market's margin table: the table it started from and its start and end times.
    function marginRamp(uint256 marketId)
        external
        view
        returns (MarginTier[] memory previousTiers, uint256 start, uint256 end);
    /// @notice The oracle adapter the core reads mark prices from.
    function oracle() external view returns (IPriceOracle);
    /// @notice The liquidity vault (LP shares over the vault ledger).
    function vault() external view returns (address);
    /// @notice The insurance pool (staker shares over the insurance ledger).
    function insurancePool() external view returns (address);
    /// @notice Whether `operator` may act for `owner`'s accounts.
    function isOperator(address owner, address operator) external view returns (bool);
    /// @notice Keeper rewards owed to `recipient`, WAD USD (pull payment, so no recipient can block a liquidation).
    function claimableRewards(address recipient) external view returns (uint256);
    /// @notice The vault's NAV in WAD USD, signed (not floored).
    function vaultNetAssetValue() external view returns (int256);
    /// @notice The internal ledgers in WAD USD: LP ledger (realised) and insurance ledger.
    function ledgers() external view returns (int256 vaultLedger, uint256 insuranceLedger);

    /// @notice The haircut's inputs and the ratio (WAD) at which unconverted profit converts now: Σ unconverted
    /// realised profit, Σ each market's traders' net unrealised PnL as of its last update (WAD USD), and
    /// h = min(1, max(0, totalProfit + vaultLedger) / (totalProfit + max(0, tradersPnl))) (`ProfitHaircut`).
    function profitHaircut() external view returns (uint256 totalProfit, int256 tradersPnl, uint256 haircutRatio);
    /// @notice Σ claimableRewards over every recipient, WAD USD.
    function totalUnclaimedRewards() external view returns (uint256);

    // ---------------------------------------------------------------- governance (role-gated)

    /// @notice Sets the vault and the insurance pool, once. DEFAULT_ADMIN_ROLE.
    function initializePools(address liquidityVault, address insurance) external;
    /// @notice Replaces the oracle adapter. DEFAULT_ADMIN_ROLE.
    function setOracle(IPriceOracle newOracle) external;
    /// @notice Lists a market with its parameters and margin table (effective at once: nothing is open yet).
    /// RISK_MANAGER_ROLE.
    function listMarket(MarketParams calldata params, MarginTier[] calldata tiers) external returns (uint256 marketId);
    /// @notice Updates a market's parameters; funding accrues under the old ones first. RISK_MANAGER_ROLE.
    /// @dev Warning: needs the market's price, so it waits out that market's oracle outage.
    function setMarketParams(uint256 marketId, MarketParams calldata params) external;
    /// @notice Replaces a market's margin table. Requirements move linearly from the old table to the new one over
    /// the market's `marginRampDuration`, so no position becomes liquidatable the instant this runs.
    /// RISK_MANAGER_ROLE.
    function setMarginTiers(uint256 marketId, MarginTier[] calldata tiers) external;
    /// @notice Sets the liquidation and fee-routing parameters, within their bounds. RISK_MANAGER_ROLE.
    function setRiskParams(RiskParams calldata params) external;
    /// @notice Stops risk-increasing trades. Deposits, withdrawals, reductions, closes and liquidations go on.
    /// PAUSER_ROLE.
    function pause() external;
    /// @notice Lifts a pause. PAUSER_ROLE.
    function unpause() external;
}
