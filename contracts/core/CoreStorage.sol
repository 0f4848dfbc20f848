// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Account, MarginSchedule, MarketParams, MarketState, RiskParams} from "../interfaces/IBallastCore.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {MarginTier} from "../libraries/MarginTiers.sol";

/// @notice A position as the core stores it: one slot (issue 17). `Position` (WAD, int128) is what views return.
/// @dev Ranges: size ±3.96e10 base units (int96); open notional ±$9.2B in whole nano-dollars (int64: `PositionMath`
/// keeps every basis a multiple of `BASIS_UNIT` = 1e9 WAD); the funding index of the last settlement in the market
/// index's own type (int96). Narrowed with SafeCast in `StateLogic.storePosition`: a fill beyond them reverts.
struct StoredPosition {
    int96 size;
    int64 openNotionalUnits;
    int96 lastFundingIndex;
}

/// @notice All of the core's state, in one struct, so that the core and its linked logic libraries
/// (`LiquidationLogic`, `GovernanceLogic`, `VaultAccounting`) read and write the same storage through one pointer
/// (Aave v3's layout: the entry point owns the storage, `*Logic` libraries run in its context by DELEGATECALL).
/// @dev Field order is the packing: `oracle`, `marketCount` and `paused` share a slot (every trade reads them), the two
/// ledgers share one (most trades touch both).
struct CoreStorage {
    IPriceOracle oracle;
    uint8 marketCount;
    /// @dev In the slot every trade reads anyway (OpenZeppelin's Pausable would cost a cold slot per open).
    bool paused;
    address vault;
    address insurancePool;
    RiskParams risk;
    /// @dev The LP ledger (signed: socialised bad debt can push it below zero) and the insurance ledger, WAD USD.
    int128 vaultLedger;
    uint128 insuranceLedger;
    /// @dev Σ Account.profit (realised trader profit not yet converted to principal) and Σ MarketState.tradersPnl
    /// (traders' net unrealised PnL, each market's as of its last update): what the haircut ratio is computed from
    /// (`ProfitHaircut`). One slot: an operation that converts profit reads both.
    uint128 totalProfit;
    int128 tradersPnl;
    uint256 nextAccountId;
    mapping(uint256 marketId => MarketParams) marketParams;
    mapping(uint256 marketId => MarketState) marketState;
    /// @dev Fixed-size tables (MarginTiers.MAX_TIERS = 8 brackets) whose counts live in `schedules`, so that a
    /// margin check reads one header slot instead of an array length and a ramp slot.
    mapping(uint256 marketId => MarginTier[8]) tiers;
    /// @dev The table a ramp starts from; requirements interpolate between it and `tiers` until `rampEnd`.
    mapping(uint256 marketId => MarginTier[8]) previousTiers;
    mapping(uint256 marketId => MarginSchedule) schedules;
    mapping(uint256 accountId => Account) accounts;
    mapping(uint256 accountId => mapping(uint256 marketId => StoredPosition)) positions;
    mapping(address owner => mapping(address operator => bool)) isOperator;
    /// @dev Keeper rewards owed to a recipient, WAD USD (pull payment).
    mapping(address recipient => uint256) claimableRewards;
    /// @dev Σ claimableRewards: with the insurance ledger, the part of the token balance no trader or LP may take.
    uint256 unclaimedRewards;
    /// @dev The only caller of `settleOrder`: the asynchronous order book (contracts/orders/OrderBook.sol).
    address orderBook;
}
