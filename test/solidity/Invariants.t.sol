// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {BallastCore} from "../../contracts/core/BallastCore.sol";
import {
    Account,
    AccountHealth,
    IBallastCore,
    LiquidationPreview,
    MarketParams,
    MarketState,
    Position,
    RiskParams
} from "../../contracts/interfaces/IBallastCore.sol";
import {MarginTier} from "../../contracts/libraries/MarginTiers.sol";
import {FundingMath} from "../../contracts/libraries/FundingMath.sol";
import {ClosingPosition, CloseOutcome, LiquidationMath} from "../../contracts/libraries/LiquidationMath.sol";
import {IBallastErrors} from "../../contracts/interfaces/IBallastErrors.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {OracleAdapter} from "../../contracts/oracle/OracleAdapter.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {LiquidityVault} from "../../contracts/vault/LiquidityVault.sol";
import {ILiquidityVault} from "../../contracts/interfaces/ILiquidityVault.sol";
import {IAsyncShareVault} from "../../contracts/interfaces/IAsyncShareVault.sol";
import {InsurancePool} from "../../contracts/insurance/InsurancePool.sol";
import {IPriceOracle} from "../../contracts/interfaces/IPriceOracle.sol";
import {AggregatorV3Interface} from "../../contracts/interfaces/AggregatorV3Interface.sol";

/// @notice The cheatcodes the invariant campaign uses (Hardhat 3 Solidity tests, no forge-std).
interface IAdvVm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function snapshotState() external returns (uint256 snapshotId);
    function revertToState(uint256 snapshotId) external returns (bool success);
}

/// @title AdvDirectSettler
/// @notice TEST ONLY: stands in for the order book (`core.setOrderBook`) so that the invariant campaign exercises the
/// core's one trading entry, `settleOrder`, at the adapter's price with the order book's authorisation rule
/// (owner or operator), and sees the core's error of a failed check as a revert. The order book itself (commit,
/// delay, Pyth verification, cancellation with a reason) is tested in test/ts/orders and test/ts/security/orders.
contract AdvDirectSettler {
    BallastCore internal immutable CORE;
    OracleAdapter internal immutable ORACLE;

    constructor(BallastCore core, OracleAdapter oracle) {
        CORE = core;
        ORACLE = oracle;
    }

    /// @notice A trade of `sizeDelta` at the adapter's current price (what an order settles at when the pull price
    /// equals the push price).
    function trade(uint256 id, uint256 marketId, int256 sizeDelta, uint256 acceptablePrice) external returns (uint256) {
        return CORE.settleOrder(id, marketId, sizeDelta, acceptablePrice, _price(id, marketId));
    }

    function closePosition(uint256 id, uint256 marketId, uint256 acceptablePrice) external returns (uint256) {
        return CORE.settleOrder(id, marketId, type(int256).min, acceptablePrice, _price(id, marketId));
    }

    function _price(uint256 id, uint256 marketId) internal view returns (uint256) {
        Account memory account = CORE.getAccount(id);
        if (account.owner == address(0)) revert IBallastCore.AccountNotFound(id);
        if (msg.sender != account.owner && !CORE.isOperator(account.owner, msg.sender)) {
            revert IBallastCore.Unauthorized(id, msg.sender);
        }
        (MarketParams memory params, , ) = CORE.getMarket(marketId);
        return ORACLE.getPrice(params.feedId);
    }
}

/// @notice The whole protocol under test, as the invariant handler and the invariant test contract see it.
struct AdvDeployment {
    AdvDirectSettler settler;
    BallastCore core;
    MockERC20 token;
    OracleAdapter oracle;
    LiquidityVault vault;
    InsurancePool insurance;
    MockAggregator[3] feeds;
    bytes32[3] feedIds;
}

/// @title AdvInvariantHandler
/// @notice ADVERSARIAL TEST ONLY. The target of the invariant campaign of `Invariants.t.sol`: random sequences by
/// 13 actors (6 traders with 10 cross and isolated accounts, an operator, 2 keepers, 2 LPs, 2 stakers) of
/// deposits, withdrawals, trades (open / increase / reduce / close / flip), price moves (single and correlated),
/// time jumps (funding), an intended stale-feed excursion, pause toggles, single and batch liquidations,
/// self-liquidations, reward claims, vault and insurance deposits and exits, and round trips. Every protocol call goes through `try`: an unexpected success or an unexpected error reverts
/// the handler with the broken invariant's name (the campaign runs with `failOnRevert`).
/// @dev Step-local invariants (DESIGN §6: 3, 4, 5, 6, 8, 9, 10) are checked here around each action; the global
/// ones (1, 2, aggregates) by `invariant_ballast` after every step.
contract AdvInvariantHandler {
    IAdvVm internal constant VM = IAdvVm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant WAD = 1e18;
    uint256 internal constant SCALE = 1e12; // 6-decimal collateral
    uint256 internal constant MARKETS = 3;

    BallastCore public immutable core;
    AdvDirectSettler public immutable settler;
    MockERC20 public immutable token;
    OracleAdapter public immutable oracle;
    LiquidityVault public immutable vault;
    InsurancePool public immutable insurance;
    MockAggregator[3] internal feeds;
    bytes32[3] internal feedIds;
    int256[3] internal minAnswer;
    int256[3] internal maxAnswer;

    address[6] internal traders;
    address internal operator;
    address[2] internal keepers;
    address[2] internal lps;
    address[2] internal stakers;

    uint256[] public accountIds;
    address[] internal recipients;
    mapping(address => bool) internal isRecipient;

    /// @dev Invariant 10: the margin of each account that has no position, as it must stay.
    mapping(uint256 accountId => bool) internal flat;
    mapping(uint256 accountId => int256) internal flatMargin;

    // ---- statistics of the current run (the campaign asserts `calls` = depth in `afterInvariant`)
    uint256 public calls;
    uint256 public tradesOk;
    uint256 public tradesRefused;
    uint256 public liquidations;
    uint256 public partialLiquidations;
    uint256 public minimalityChecks; // invariant 14, one per partial liquidation
    uint256 public badDebtLiquidations;
    uint256 public socialisedLiquidations;

    struct Snapshot {
        int256[] equity;
        int256[] margin; // as the core counts it: unconverted profit at the haircut ratio
        int256[] haircut; // face margin − the above
        bool[] liquidatable;
    }

    constructor(AdvDeployment memory d, address[6] memory traders_, address operator_) {
        core = d.core;
        settler = d.settler;
        token = d.token;
        oracle = d.oracle;
        vault = d.vault;
        insurance = d.insurance;
        feeds = d.feeds;
        feedIds = d.feedIds;
        traders = traders_;
        operator = operator_;
        keepers = [address(0x3001), address(0x3002)];
        lps = [address(0x4001), address(0x4002)];
        stakers = [address(0x5001), address(0x5002)];
        for (uint256 m; m < MARKETS; ++m) {
            (uint256 minWad, uint256 maxWad) = _feedBounds(m);
            // Keep prices well inside the adapter's bounds (8-decimal answers).
            minAnswer[m] = int256(minWad / 1e10) * 2;
            maxAnswer[m] = int256(maxWad / 1e10) / 2;
        }
        for (uint256 i; i < 2; ++i) {
            _registerRecipient(keepers[i]);
        }
        // The accounts (6 cross, 4 isolated) and the pools' first deposits.
        for (uint256 i; i < traders.length; ++i) {
            accountIds.push(_createAccount(traders[i], false, 0, 10_000e6));
            if (i < 4) accountIds.push(_createAccount(traders[i], true, i % MARKETS, 5_000e6));
            _registerRecipient(traders[i]);
        }
        VM.prank(traders[5]);
        core.setOperator(operator, true);
        _registerRecipient(operator);
        _mintApprove(lps[0], address(vault), 2_000_000e6);
        VM.prank(lps[0]);
        vault.requestDeposit(2_000_000e6, lps[0], lps[0]);
        _warpKeepingPrices(vault.settlementDelay());
        vault.settleDeposit(lps[0]);
        _mintApprove(stakers[0], address(insurance), 3_000e6);
        VM.prank(stakers[0]);
        insurance.deposit(3_000e6, stakers[0]);
        _afterAction(new bool[](accountIds.length));
    }

    function accountCount() external view returns (uint256) {
        return accountIds.length;
    }

    function recipientList() external view returns (address[] memory) {
        return recipients;
    }

    // ================================================================ trader actions

    function deposit(uint256 accountSeed, uint256 amountSeed, uint256 fromSeed) external {
        ++calls;
        (uint256 index, uint256 id,) = _pickAccount(accountSeed);
        uint256 assets = 1 + amountSeed % 20_000e6;
        address from = traders[fromSeed % traders.length]; // anyone may top up any account
        _mintApprove(from, address(core), assets);
        Snapshot memory before = _snapshot();
        VM.prank(from);
        try core.deposit(id, assets) {
            require(
                before.margin[index] + before.haircut[index] + int256(assets * SCALE) == core.getAccount(id).margin,
                "deposit: margin"
            );
            require(before.equity[index] + int256(assets * SCALE) == core.accountHealth(id).equity, "deposit: equity");
        } catch {
            revert("deposit refused");
        }
        _checkOthersUnchanged(before, _only(index));
        _afterAction(_only(index));
    }

    function withdraw(uint256 accountSeed, uint256 fractionSeed, uint256 callerSeed) external {
        ++calls;
        (uint256 index, uint256 id, Account memory account) = _pickAccount(accountSeed);
        AccountHealth memory h = core.accountHealth(id);
        require(h.withdrawable <= _positive(h.margin), "INV withdrawable > realised margin");
        uint256 available = h.withdrawable / SCALE;
        uint256 k = fractionSeed % 10;
        uint256 assets = k == 0 ? available + 1 + fractionSeed % 1_000e6 : available * k / 9;
        if (assets == 0) assets = 1;
        address caller = _caller(account.owner, callerSeed);
        uint256 balanceBefore = token.balanceOf(account.owner);
        Snapshot memory before = _snapshot();
        VM.prank(caller);
        try core.withdraw(id, assets, account.owner) {
            require(assets * SCALE <= h.withdrawable, "INV5: withdrew more than withdrawable");
            require(token.balanceOf(account.owner) == balanceBefore + assets, "withdraw: paid");
            require(core.getAccount(id).margin == before.margin[index] - int256(assets * SCALE), "withdraw: margin");
            AccountHealth memory a = core.accountHealth(id);
            require(a.equity >= int256(a.initialMargin), "INV5: withdrawal left equity < IM");
            require(!a.liquidatable, "INV8: withdrawal made the account liquidatable");
        } catch (bytes memory reason) {
            require(
                _selector(reason) == IBallastCore.WithdrawalExceedsAvailable.selector
                    && assets * SCALE > h.withdrawable,
                "withdraw within the withdrawable amount refused"
            );
        }
        _checkOthersUnchanged(before, _only(index));
        _afterAction(_only(index));
    }

    function trade(uint256 accountSeed, uint256 marketSeed, uint256 kindSeed, uint256 amountSeed) external {
        ++calls;
        (uint256 index, uint256 id, Account memory account) = _pickAccount(accountSeed);
        uint256 marketId = account.isolated ? account.isolatedMarketId : marketSeed % MARKETS;
        int256 sizeDelta = _chooseDelta(id, marketId, kindSeed, amountSeed);
        if (sizeDelta == 0) sizeDelta = 1e15;
        _trade(index, id, marketId, sizeDelta, _caller(account.owner, amountSeed >> 128));
        _afterAction(_only(index));
    }

    function closePosition(uint256 accountSeed, uint256 marketSeed) external {
        ++calls;
        (uint256 index, uint256 id, Account memory account) = _pickAccount(accountSeed);
        uint256 marketId = account.isolated ? account.isolatedMarketId : marketSeed % MARKETS;
        Position memory position = core.getPosition(id, marketId);
        Snapshot memory before = _snapshot();
        VM.prank(account.owner);
        try settler.closePosition(id, marketId, position.size > 0 ? 0 : type(uint256).max) {
            require(!before.liquidatable[index], "INV: a liquidatable account closed a position");
            require(core.getPosition(id, marketId).size == 0, "close: position left");
            AccountHealth memory a = core.accountHealth(id);
            require(!a.liquidatable && a.equity >= 0, "INV8: close left the account unhealthy");
        } catch (bytes memory reason) {
            bytes4 selector = _selector(reason);
            require(
                (position.size == 0 && selector == IBallastErrors.ZeroAmount.selector)
                    || (before.liquidatable[index] && selector == IBallastCore.AccountLiquidatable.selector)
                    || selector == IBallastCore.ReductionLeavesAccountUnhealthy.selector
                    || selector == IBallastErrors.FillPriceNotPositive.selector
                    || selector == IBallastCore.FeeExceedsMargin.selector,
                "close: unexpected error"
            );
        }
        _checkOthersUnchanged(before, _only(index));
        _afterAction(_only(index));
    }

    /// @notice Invariant 9: open → close at the same price and time never returns more equity than it started with.
    function tradeRoundTrip(uint256 accountSeed, uint256 marketSeed, uint256 amountSeed) external {
        ++calls;
        (uint256 index, uint256 id, Account memory account) = _pickAccount(accountSeed);
        uint256 marketId = account.isolated ? account.isolatedMarketId : marketSeed % MARKETS;
        int256 sizeDelta = _chooseDelta(id, marketId, 0, amountSeed);
        if (sizeDelta == 0) sizeDelta = 1e15;
        AccountHealth memory h0 = core.accountHealth(id);
        bool opened = _trade(index, id, marketId, sizeDelta, account.owner);
        if (opened && _trade(index, id, marketId, -sizeDelta, account.owner)) {
            require(core.accountHealth(id).equity <= h0.equity, "INV9: profitable open->close round trip");
        }
        _afterAction(_only(index));
    }

    /// @notice Invariant 9: deposit → withdraw returns at most what went in.
    function depositWithdrawRoundTrip(uint256 accountSeed, uint256 amountSeed) external {
        ++calls;
        (uint256 index, uint256 id, Account memory account) = _pickAccount(accountSeed);
        uint256 assets = 1 + amountSeed % 5_000e6;
        uint256 withdrawableBefore = core.accountHealth(id).withdrawable;
        _mintApprove(account.owner, address(core), assets);
        uint256 balanceBefore = token.balanceOf(account.owner);
        VM.prank(account.owner);
        core.deposit(id, assets);
        uint256 withdrawableAfter = core.accountHealth(id).withdrawable;
        require(withdrawableAfter <= withdrawableBefore + assets * SCALE, "INV9: deposit raised withdrawable by more");
        uint256 out = withdrawableAfter / SCALE;
        if (out > assets) out = assets;
        if (out != 0) {
            VM.prank(account.owner);
            core.withdraw(id, out, account.owner);
        }
        require(token.balanceOf(account.owner) + assets == balanceBefore + out, "round trip: balance");
        require(out <= assets, "INV9: profitable deposit->withdraw");
        _afterAction(_only(index));
    }

    // ================================================================ market actions

    function movePrice(uint256 marketSeed, uint256 stepSeed) external {
        ++calls;
        uint256 marketId = marketSeed % MARKETS;
        (, int256 answer,,,) = feeds[marketId].latestRoundData();
        // Mostly steps of up to ±3% (partial liquidations); one in six a jump of 10–35% (bankruptcies, bad debt).
        int256 bps = stepSeed % 6 == 0 ? int256(1_000 + (stepSeed >> 8) % 2_501) : int256((stepSeed >> 8) % 301);
        feeds[marketId].setAnswer(_moved(marketId, answer, (stepSeed >> 32) % 2 == 0 ? -bps : bps));
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice A correlated move of every market by 0.2–6% in one direction (a slide or a squeeze).
    function moveAllPrices(uint256 stepSeed) external {
        ++calls;
        int256 bps = int256(20 + stepSeed % 581);
        if ((stepSeed >> 32) % 2 == 0) bps = -bps;
        for (uint256 m; m < MARKETS; ++m) {
            (, int256 answer,,,) = feeds[m].latestRoundData();
            feeds[m].setAnswer(_moved(m, answer, bps));
        }
        _afterAction(new bool[](accountIds.length));
    }

    /// @dev `answer` moved by `bps` basis points, kept inside the adapter's bounds.
    function _moved(uint256 marketId, int256 answer, int256 bps) internal view returns (int256 next) {
        next = answer + answer * bps / 10_000;
        if (next < minAnswer[marketId]) next = minAnswer[marketId];
        if (next > maxAnswer[marketId]) next = maxAnswer[marketId];
    }

    function warp(uint256 secondsSeed) external {
        ++calls;
        VM.warp(block.timestamp + 1 + secondsSeed % 3_600);
        // Every feed is refreshed (never stale), and drifts by up to ±1% while time passes.
        for (uint256 m; m < MARKETS; ++m) {
            (, int256 answer,,,) = feeds[m].latestRoundData();
            int256 bps = int256((secondsSeed >> (16 + 16 * m)) % 201) - 100;
            feeds[m].setAnswer(_moved(m, answer, bps));
        }
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice Governance unpauses, or (one time in four) pauses: while paused only risk-increasing trades may be
    /// refused; reductions, closes, deposits, withdrawals, liquidations and pool exits go on.
    function togglePause(uint256 seed) external {
        ++calls;
        if (core.paused()) core.unpause();
        else if (seed % 4 == 0) core.pause();
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice An intended stale excursion: an hour and a second pass without a refresh of one market's feed.
    /// Every priced action on that market reverts with StalePrice, deposits still work; then the feed recovers.
    function staleExcursion(uint256 marketSeed, uint256 accountSeed) external {
        ++calls;
        uint256 stale = marketSeed % MARKETS;
        VM.warp(block.timestamp + 3_601);
        for (uint256 m; m < MARKETS; ++m) {
            (, int256 answer,,,) = feeds[m].latestRoundData();
            if (m != stale) feeds[m].setAnswer(answer);
        }
        (uint256 index, uint256 id, Account memory account) = _pickAccount(accountSeed);
        bytes4 stalePrice = IOracleAdapter.StalePrice.selector;
        if (!account.isolated || account.isolatedMarketId == stale) {
            VM.prank(account.owner);
            try settler.trade(id, stale, 1e15, type(uint256).max) {
                revert("traded on a stale price");
            } catch (bytes memory reason) {
                require(_selector(reason) == stalePrice, "stale trade: not StalePrice");
            }
        }
        VM.prank(keepers[0]);
        try core.liquidateMany(accountIds, keepers[0]) returns (bool[] memory) {
            for (uint256 i; i < accountIds.length; ++i) {
                require(core.getAccount(accountIds[i]).activeMarkets & (uint64(1) << uint64(stale)) == 0, "batch priced");
            }
        } catch (bytes memory reason) {
            require(_selector(reason) == stalePrice, "stale batch: not StalePrice");
        }
        // Adding margin never needs a price.
        _mintApprove(account.owner, address(core), 1e6);
        int256 marginBefore = core.getAccount(id).margin;
        VM.prank(account.owner);
        core.deposit(id, 1e6);
        require(core.getAccount(id).margin == marginBefore + int256(1e6 * SCALE), "deposit while stale");
        (, int256 last,,,) = feeds[stale].latestRoundData();
        feeds[stale].setAnswer(last);
        _afterAction(_only(index));
    }

    // ================================================================ liquidation

    function liquidate(uint256 accountSeed, uint256 keeperSeed) external {
        ++calls;
        (uint256 index, uint256 id,) = _pickAccount(accountSeed);
        // Three times in four, aim at a liquidatable account if there is one.
        if (keeperSeed % 4 != 0) (index, id) = _findLiquidatable(index, id);
        address keeper = keepers[keeperSeed % 2];
        address recipient = keepers[(keeperSeed >> 8) % 2];
        _liquidate(index, id, keeper, recipient, false);
    }

    /// @notice The owner (or its operator) liquidates its own account: no keeper reward may be paid.
    function selfLiquidate(uint256 accountSeed, uint256 callerSeed) external {
        ++calls;
        (uint256 index, uint256 id) = _pickAccountIndex(accountSeed);
        (index, id) = _findLiquidatable(index, id);
        address owner = core.getAccount(id).owner;
        _liquidate(index, id, _caller(owner, callerSeed), owner, true);
    }

    function liquidateMany(uint256 keeperSeed) external {
        ++calls;
        uint256 n = accountIds.length;
        uint256[] memory ids = new uint256[](n + 1);
        bool[] memory expected = new bool[](n + 1);
        LiquidationPreview[] memory previews = new LiquidationPreview[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = accountIds[i];
            expected[i] = core.accountHealth(ids[i]).liquidatable;
            require(core.previewLiquidation(ids[i]).liquidatable == expected[i], "preview disagrees with health");
        }
        ids[n] = 1_000_000; // an account that does not exist is skipped
        address keeper = keepers[keeperSeed % 2];
        address recipient = keepers[(keeperSeed >> 8) % 2];
        // The batch must equal the same liquidations one by one, in its order: each close moves its market's skew,
        // and so the fill of the next account's close in that market. Run them, record them, and roll back.
        // Invariant 14 is checked on each of them (the counter lives in memory: the rollback resets storage).
        uint256 snapshot = VM.snapshotState();
        uint256 checked;
        for (uint256 i; i < n; ++i) {
            if (!expected[i]) continue;
            (ClosingPosition[] memory closes, int256 margin0) = _closingPositions(ids[i]);
            VM.prank(keeper);
            previews[i] = core.liquidate(ids[i], recipient);
            if (_checkMinimalFraction(closes, margin0, previews[i])) ++checked;
        }
        require(VM.revertToState(snapshot), "snapshot not restored");
        minimalityChecks += checked;
        (, uint256 insurance0) = core.ledgers();
        uint256 reward0 = core.claimableRewards(recipient);
        Snapshot memory before = _snapshot();

        VM.prank(keeper);
        bool[] memory done = core.liquidateMany(ids, recipient);

        // Invariants 3 and 6: exactly the liquidatable accounts, and the insurance ledger evolves insurance-first.
        uint256 expectedInsurance = insurance0;
        uint256 rewards;
        for (uint256 i; i <= n; ++i) {
            require(done[i] == expected[i], "INV3: batch result differs from liquidatable");
            if (!done[i]) continue;
            LiquidationPreview memory p = previews[i];
            uint256 reward;
            (reward, expectedInsurance) = _reward(p.fee, p.closedNotional, expectedInsurance, false);
            rewards += reward;
            uint256 covered = p.badDebt < expectedInsurance ? p.badDebt : expectedInsurance;
            expectedInsurance -= covered;
            _checkLiquidatedAccount(ids[i], p, before.equity[i], before.liquidatable[i]);
            _countLiquidation(p, covered);
        }
        (, uint256 insurance1) = core.ledgers();
        require(insurance1 == expectedInsurance, "INV6: batch insurance ledger (insurance-first)");
        require(core.claimableRewards(recipient) == reward0 + rewards, "batch keeper reward");
        bool[] memory touched = new bool[](n);
        for (uint256 i; i < n; ++i) {
            touched[i] = done[i];
        }
        _checkOthersUnchanged(before, touched);
        _afterAction(touched);
    }

    function claimRewards(uint256 recipientSeed) external {
        ++calls;
        address recipient = recipients[recipientSeed % recipients.length];
        uint256 owed = core.claimableRewards(recipient);
        uint256 balanceBefore = token.balanceOf(recipient);
        VM.prank(recipient);
        try core.claimRewards(recipient) returns (uint256 assets) {
            require(assets == owed / SCALE && assets != 0, "claim: amount");
            require(token.balanceOf(recipient) == balanceBefore + assets, "claim: paid");
            require(core.claimableRewards(recipient) == owed - assets * SCALE, "claim: dust kept");
        } catch (bytes memory reason) {
            require(
                owed / SCALE == 0 && _selector(reason) == IBallastCore.NothingToClaim.selector, "claim refused"
            );
        }
        _afterAction(new bool[](accountIds.length));
    }

    // ================================================================ vault and insurance

    /// @notice An LP asks to deposit: the assets wait in the vault's escrow, outside the NAV, and no share moves.
    function vaultRequestDeposit(uint256 lpSeed, uint256 amountSeed) external {
        ++calls;
        address lp = lps[lpSeed % 2];
        uint256 assets = 1 + amountSeed % 500_000e6;
        _mintApprove(lp, address(vault), assets);
        (uint256 assets0, uint256 supply0) = (vault.totalAssets(), vault.totalSupply());
        bool wipedOut = assets0 == 0 && (supply0 > 0 || core.vaultInDeficit());
        VM.prank(lp);
        try vault.requestDeposit(assets, lp, lp) {
            require(!wipedOut, "vault deposit requested while the NAV is wiped out");
        } catch (bytes memory reason) {
            require(wipedOut && _selector(reason) == ILiquidityVault.NavWipedOut.selector, "vault deposit request refused");
        }
        require(vault.totalAssets() == assets0 && vault.totalSupply() == supply0, "a pending deposit moved the NAV");
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice An LP asks to redeem: its shares move into escrow and stay in the supply (they keep bearing PnL).
    function vaultRequestRedeem(uint256 lpSeed, uint256 fractionSeed) external {
        ++calls;
        address lp = lps[lpSeed % 2];
        uint256 shares = vault.balanceOf(lp) * (1 + fractionSeed % 100) / 100;
        if (shares != 0) {
            (uint256 assets0, uint256 supply0) = (vault.totalAssets(), vault.totalSupply());
            uint256 pending0 = vault.pendingRedeemRequest(0, lp);
            VM.prank(lp);
            vault.requestRedeem(shares, lp, lp);
            require(vault.pendingRedeemRequest(0, lp) == pending0 + shares, "vault redeem request: shares");
            require(vault.totalAssets() == assets0 && vault.totalSupply() == supply0, "a request moved the NAV");
        }
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice Anyone (here a keeper) settles an LP's unlocked requests: never above the request-time quote, never
    /// above the settlement-time value, and the share price of those who stay never falls.
    function vaultSettle(uint256 lpSeed) external {
        ++calls;
        address lp = lps[lpSeed % 2];
        IAsyncShareVault.Request memory d = vault.depositRequest(lp);
        if (d.amount != 0 && block.timestamp >= d.unlockTime) {
            (uint256 assets0, uint256 supply0) = (vault.totalAssets(), vault.totalSupply());
            uint256 worth = assets0 == 0 && (supply0 > 0 || core.vaultInDeficit())
                ? type(uint256).max
                : vault.convertToShares(d.amount);
            Snapshot memory before = _snapshot();
            VM.prank(keepers[0]);
            try vault.settleDeposit(lp) returns (uint256 shares) {
                require(shares <= d.quote && shares <= worth, "vault deposit settled above a price");
            } catch (bytes memory reason) {
                require(_selector(reason) == ILiquidityVault.NavWipedOut.selector, "vault deposit settlement refused");
            }
            _checkSharePriceKept(IERC4626(address(vault)), assets0, supply0);
            _checkOthersUnchanged(before, new bool[](accountIds.length));
        }
        IAsyncShareVault.Request memory r = vault.redeemRequest(lp);
        if (r.amount != 0 && block.timestamp >= r.unlockTime) {
            (uint256 assets0, uint256 supply0) = (vault.totalAssets(), vault.totalSupply());
            uint256 worth = vault.convertToAssets(r.amount);
            uint256 balanceBefore = token.balanceOf(lp);
            VM.prank(keepers[1]);
            try vault.settleRedeem(lp) returns (uint256 assets) {
                require(assets <= r.quote && assets <= worth, "vault redemption settled above a price");
                require(token.balanceOf(lp) == balanceBefore + assets, "vault redemption: paid");
            } catch (bytes memory reason) {
                require(_selector(reason) == IBallastCore.VaultReserveBreached.selector, "vault redemption refused");
            }
            _checkSharePriceKept(IERC4626(address(vault)), assets0, supply0);
        }
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice Both LPs redeem everything they hold, settled once the delay has passed (as far as the reserve lets
    /// them): pushes LP capital towards zero, so that price jumps then push it below, where the haircut binds.
    function lpExodus(uint256 delaySeed) external {
        ++calls;
        for (uint256 i; i < 2; ++i) {
            uint256 shares = vault.balanceOf(lps[i]);
            if (shares == 0) continue;
            VM.prank(lps[i]);
            vault.requestRedeem(shares, lps[i], lps[i]);
        }
        _warpKeepingPrices(61 + delaySeed % 600);
        for (uint256 i; i < 2; ++i) {
            IAsyncShareVault.Request memory r = vault.redeemRequest(lps[i]);
            if (r.amount == 0 || block.timestamp < r.unlockTime) continue;
            (uint256 assets0, uint256 supply0) = (vault.totalAssets(), vault.totalSupply());
            VM.prank(keepers[1]);
            try vault.settleRedeem(lps[i]) {}
            catch (bytes memory reason) {
                require(_selector(reason) == IBallastCore.VaultReserveBreached.selector, "LP exodus: redemption refused");
            }
            _checkSharePriceKept(IERC4626(address(vault)), assets0, supply0);
        }
        // Then the market where traders are most exposed against the vault jumps 20–35% their way: with little LP
        // capital left, their profit outgrows it and the haircut binds once they close.
        uint256 widest;
        uint256 widestNotional;
        int256 widestSkew;
        for (uint256 m; m < MARKETS; ++m) {
            (MarketParams memory params, MarketState memory state,) = core.getMarket(m);
            int256 skew = int256(uint256(state.longOpenInterest)) - int256(uint256(state.shortOpenInterest));
            uint256 skewNotional = _abs(skew) * core.oracle().getPrice(params.feedId) / 1e18;
            if (skewNotional > widestNotional) (widest, widestNotional, widestSkew) = (m, skewNotional, skew);
        }
        if (widestSkew != 0) {
            int256 bps = int256(2_000 + delaySeed % 1_501);
            (, int256 answer,,,) = feeds[widest].latestRoundData();
            feeds[widest].setAnswer(_moved(widest, answer, widestSkew > 0 ? bps : -bps));
        }
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice Invariant 9: vault deposit → redeem, each settled as soon as it may be, returns at most the deposit.
    function vaultRoundTrip(uint256 amountSeed) external {
        ++calls;
        address lp = address(0x4003);
        uint256 assets = 1 + amountSeed % 200_000e6;
        if (vault.totalAssets() == 0 && (vault.totalSupply() > 0 || core.vaultInDeficit())) {
            _afterAction(new bool[](accountIds.length));
            return;
        }
        _mintApprove(lp, address(vault), assets);
        VM.prank(lp);
        vault.requestDeposit(assets, lp, lp);
        _warpKeepingPrices(vault.settlementDelay());
        uint256 shares = vault.settleDeposit(lp);
        if (shares != 0) {
            // A redemption of an earlier round trip that the reserve refused is still pending: the new shares merge
            // into it, and the payout covers both. Its own quote caps the old part.
            uint256 earlierQuote = vault.redeemRequest(lp).quote;
            VM.prank(lp);
            vault.requestRedeem(shares, lp, lp);
            _warpKeepingPrices(vault.settlementDelay());
            uint256 balanceBefore = token.balanceOf(lp);
            try vault.settleRedeem(lp) returns (uint256 out) {
                require(out <= assets + earlierQuote, "INV9: profitable vault round trip");
                require(token.balanceOf(lp) == balanceBefore + out, "vault round trip: paid");
            } catch (bytes memory reason) {
                require(_selector(reason) == IBallastCore.VaultReserveBreached.selector, "round trip redemption refused");
            }
        }
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    function stake(uint256 stakerSeed, uint256 amountSeed) external {
        ++calls;
        address staker = stakers[stakerSeed % 2];
        uint256 assets = 1 + amountSeed % 20_000e6;
        _mintApprove(staker, address(insurance), assets);
        (uint256 assets0, uint256 supply0) = (insurance.totalAssets(), insurance.totalSupply());
        uint256 preview = insurance.previewDeposit(assets);
        VM.prank(staker);
        uint256 shares = insurance.deposit(assets, staker);
        require(shares == preview, "stake: shares");
        _checkSharePriceKept(IERC4626(address(insurance)), assets0, supply0);
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice A staker asks to leave: its shares are escrowed, still in the supply, so they bear every loss.
    function requestUnstake(uint256 stakerSeed, uint256 fractionSeed) external {
        ++calls;
        address staker = stakers[stakerSeed % 2];
        uint256 shares = insurance.balanceOf(staker) * (1 + fractionSeed % 100) / 100;
        if (shares != 0) {
            uint256 supply0 = insurance.totalSupply();
            VM.prank(staker);
            insurance.requestRedeem(shares, staker, staker);
            require(insurance.totalSupply() == supply0, "a request left the supply");
        }
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    /// @notice Anyone settles a staker's unlocked request, never above its request-time quote or present value.
    function unstake(uint256 stakerSeed) external {
        ++calls;
        address staker = stakers[stakerSeed % 2];
        IAsyncShareVault.Request memory r = insurance.redeemRequest(staker);
        if (r.amount != 0 && block.timestamp >= r.unlockTime) {
            (uint256 assets0, uint256 supply0) = (insurance.totalAssets(), insurance.totalSupply());
            uint256 worth = insurance.convertToAssets(r.amount);
            uint256 balanceBefore = token.balanceOf(staker);
            VM.prank(keepers[0]);
            uint256 assets = insurance.settleRedeem(staker);
            require(assets <= r.quote && assets <= worth, "unstake settled above a price");
            require(token.balanceOf(staker) == balanceBefore + assets, "unstake: assets");
            _checkSharePriceKept(IERC4626(address(insurance)), assets0, supply0);
        }
        _checkVaultEscrow();
        _afterAction(new bool[](accountIds.length));
    }

    /// @dev The vault holds exactly the assets of pending deposit requests, and exactly the shares of pending
    /// redemption requests (of the LPs and the round-trip actor): escrow is never lost or double-counted.
    function _checkVaultEscrow() internal view {
        require(token.balanceOf(address(vault)) == vault.pendingDepositAssets(), "vault escrow: assets");
        uint256 escrowed = vault.pendingRedeemRequest(0, lps[0]) + vault.pendingRedeemRequest(0, lps[1])
            + vault.pendingRedeemRequest(0, address(0x4003));
        require(vault.balanceOf(address(vault)) == escrowed, "vault escrow: shares");
        uint256 staked = insurance.pendingRedeemRequest(0, stakers[0]) + insurance.pendingRedeemRequest(0, stakers[1]);
        require(insurance.balanceOf(address(insurance)) == staked, "insurance escrow: shares");
    }

    /// @dev Moves time forward by `seconds_` and republishes every feed's answer, so that no price goes stale.
    function _warpKeepingPrices(uint256 seconds_) internal {
        VM.warp(block.timestamp + seconds_);
        for (uint256 m; m < MARKETS; ++m) {
            (, int256 answer,,,) = feeds[m].latestRoundData();
            feeds[m].setAnswer(answer);
        }
    }

    // ================================================================ internals: actions

    /// @dev Trades and checks invariants 5 and 8 and the expected errors. Returns whether the trade went through.
    function _trade(uint256 index, uint256 id, uint256 marketId, int256 sizeDelta, address caller)
        internal
        returns (bool ok)
    {
        Position memory position = core.getPosition(id, marketId);
        int256 newSize = position.size + sizeDelta;
        bool increases = _abs(newSize) > _abs(position.size)
            || (newSize != 0 && position.size != 0 && (newSize > 0) != (position.size > 0));
        Snapshot memory before = _snapshot();
        VM.prank(caller);
        try settler.trade(id, marketId, sizeDelta, sizeDelta > 0 ? type(uint256).max : 0) {
            ok = true;
            ++tradesOk;
            require(!before.liquidatable[index], "INV: a liquidatable account traded");
            require(!(increases && core.paused()), "a risk-increasing trade went through while paused");
            require(core.getPosition(id, marketId).size == newSize, "trade: size");
            AccountHealth memory a = core.accountHealth(id);
            if (increases) {
                require(a.equity >= int256(a.initialMargin), "INV5: risk-increasing trade left equity < IM");
                _checkCapacity(marketId);
            }
            require(!a.liquidatable && a.equity >= 0, "INV8: a trade made the account unhealthy");
        } catch (bytes memory reason) {
            ++tradesRefused;
            bytes4 s = _selector(reason);
            if (before.liquidatable[index]) {
                require(s == IBallastCore.AccountLiquidatable.selector, "liquidatable account: wrong error");
            } else if (increases) {
                require(
                    (s == IBallastCore.EnforcedPause.selector && core.paused())
                        || s == IBallastCore.InsufficientMargin.selector || s == IBallastCore.PositionBelowMinimum.selector
                        || s == IBallastCore.OpenInterestCapExceeded.selector
                        || s == IBallastCore.OpenInterestCapacityExceeded.selector
                        || s == IBallastCore.SkewCapacityExceeded.selector
                        || s == IBallastCore.PnlCapacityExceeded.selector
                        || s == IBallastCore.TooManyPositions.selector
                        || s == IBallastErrors.FillPriceNotPositive.selector
                        || s == IBallastCore.FeeExceedsMargin.selector,
                    "risk-increasing trade: unexpected error"
                );
            } else {
                require(
                    s == IBallastCore.ReductionLeavesAccountUnhealthy.selector
                        || s == IBallastErrors.FillPriceNotPositive.selector
                        || s == IBallastCore.FeeExceedsMargin.selector,
                    "reduction: unexpected error"
                );
            }
        }
        _checkOthersUnchanged(before, _only(index));
    }

    /// @dev The keeper's reward and the insurance ledger after it, from the design (DESIGN §9): the keeper's share
    /// of the fee, topped up from insurance to the floor for a close of at least minRemainingNotional.
    function _reward(uint256 fee, uint256 closedNotional, uint256 insurance, bool self)
        internal
        view
        returns (uint256 reward, uint256 pot)
    {
        RiskParams memory risk = core.riskParams();
        reward = self ? 0 : fee * risk.keeperRewardShare / WAD;
        pot = insurance + fee - reward;
        if (!self && reward < risk.keeperRewardFloor && closedNotional >= risk.minRemainingNotional) {
            uint256 topUp = risk.keeperRewardFloor - reward;
            if (topUp > pot) topUp = pot;
            reward += topUp;
            pot -= topUp;
        }
    }

    function _liquidate(uint256 index, uint256 id, address caller, address recipient, bool self) internal {
        AccountHealth memory h = core.accountHealth(id);
        LiquidationPreview memory preview = core.previewLiquidation(id);
        require(preview.liquidatable == h.liquidatable, "preview disagrees with health");
        (ClosingPosition[] memory closes, int256 margin0) = _closingPositions(id);
        (, uint256 insurance0) = core.ledgers();
        uint256 reward0 = core.claimableRewards(recipient);
        Snapshot memory before = _snapshot();
        VM.prank(caller);
        try core.liquidate(id, recipient) returns (LiquidationPreview memory r) {
            require(h.liquidatable, "INV3: a healthy account was liquidated");
            require(
                r.full == preview.full && r.fraction == preview.fraction && r.fee == preview.fee
                    && r.badDebt == preview.badDebt && r.equityAfter == preview.equityAfter
                    && r.closedNotional == preview.closedNotional
                    && r.maintenanceMarginAfter == preview.maintenanceMarginAfter,
                "liquidation differs from its preview"
            );
            (uint256 reward, uint256 pot) = _reward(r.fee, r.closedNotional, insurance0, self);
            uint256 covered = r.badDebt < pot ? r.badDebt : pot;
            (, uint256 insurance1) = core.ledgers();
            require(insurance1 == pot - covered, "INV6: insurance ledger (insurance-first)");
            if (r.badDebt > covered) require(insurance1 == 0, "INV6: socialised while insurance left");
            require(core.claimableRewards(recipient) == reward0 + reward, "keeper reward (none when self)");
            _checkLiquidatedAccount(id, r, h.equity, h.liquidatable);
            if (_checkMinimalFraction(closes, margin0, r)) ++minimalityChecks;
            _countLiquidation(r, covered);
        } catch (bytes memory reason) {
            require(!h.liquidatable, "INV3: a liquidatable account could not be liquidated");
            require(_selector(reason) == IBallastCore.AccountNotLiquidatable.selector, "liquidate: wrong error");
        }
        _checkOthersUnchanged(before, _only(index));
        _afterAction(_only(index));
    }

    /// @dev Invariant 4 (and §5): healthy at the target, or empty with margin ≥ 0; health never made worse.
    function _checkLiquidatedAccount(uint256 id, LiquidationPreview memory r, int256 equityBefore, bool wasLiquidatable)
        internal
        view
    {
        require(wasLiquidatable, "INV3: healthy account liquidated");
        Account memory account = core.getAccount(id);
        AccountHealth memory a = core.accountHealth(id);
        if (account.activeMarkets != 0) {
            require(!r.full, "full liquidation left positions");
            uint256 buffered = a.maintenanceMargin * (WAD + core.riskParams().liquidationBuffer);
            uint256 target = buffered / WAD + (buffered % WAD == 0 ? 0 : 1);
            if (target <= a.maintenanceMargin) target = a.maintenanceMargin + 1;
            require(a.equity >= int256(target), "INV4: partial liquidation short of the target");
            require(!a.liquidatable, "INV4: still liquidatable after a partial liquidation");
            require(a.equity == r.equityAfter && a.maintenanceMargin == r.maintenanceMarginAfter, "INV4: after");
            require(a.equity <= equityBefore, "liquidation created equity");
        } else {
            require(account.margin >= 0, "INV: empty account with negative margin");
            if (r.badDebt != 0) require(account.margin == 0, "bad debt: margin not zeroed");
            else require(account.margin == r.equityAfter, "full liquidation: margin");
        }
    }

    /// @dev Invariant 14: a partial liquidation's fraction meets the target and one wei less does not, recomputed
    /// from the account as the views show it before the liquidation (same block, so the same prices and funding).
    /// @dev DESIGN §8: after a risk-increasing trade the market's open interest is within its capacity.
    function _checkCapacity(uint256 marketId) internal view {
        (MarketParams memory params, MarketState memory state,) = core.getMarket(marketId);
        (int256 vaultLedger,) = core.ledgers();
        uint256 capital = vaultLedger > 0 ? uint256(vaultLedger) : 0;
        uint256 price = core.oracle().getPrice(params.feedId);
        uint256 larger = state.longOpenInterest > state.shortOpenInterest ? state.longOpenInterest : state.shortOpenInterest;
        require(larger * price / WAD <= capital * core.riskParams().maxOpenInterestFactor / WAD, "capacity: open interest");
    }

    /// @return checked Whether the liquidation was partial (and so checked).
    function _checkMinimalFraction(ClosingPosition[] memory closes, int256 margin, LiquidationPreview memory r)
        internal
        view
        returns (bool checked)
    {
        if (r.full) return false;
        RiskParams memory risk = core.riskParams();
        CloseOutcome memory at = LiquidationMath.applyFraction(closes, margin, r.fraction, risk.liquidationFeeRate, block.timestamp);
        require(at.equityAfter == r.equityAfter && at.fee == r.fee, "INV14: the fraction's close differs from the core's");
        CloseOutcome memory less =
            LiquidationMath.applyFraction(closes, margin, r.fraction - 1, risk.liquidationFeeRate, block.timestamp);
        require(
            less.equityAfter < int256(LiquidationMath.targetEquity(less.maintenanceMarginAfter, risk.liquidationBuffer)),
            "INV14: one wei less of fraction would have met the target"
        );
        return true;
    }

    /// @dev The account's positions as `LiquidationMath` closes them, read through the core's views.
    function _closingPositions(uint256 id) internal view returns (ClosingPosition[] memory closes, int256 margin) {
        Account memory account = core.getAccount(id);
        margin = account.margin;
        uint256 count;
        for (uint256 m; m < 64; ++m) {
            if (account.activeMarkets & (1 << m) != 0) ++count;
        }
        closes = new ClosingPosition[](count);
        uint256 i;
        for (uint256 m; m < 64 && i < count; ++m) {
            if (account.activeMarkets & (1 << m) == 0) continue;
            (MarketParams memory params, MarketState memory state, MarginTier[] memory tiers) = core.getMarket(m);
            Position memory p = core.getPosition(id, m);
            (int256 fundingIndex,) = core.currentFunding(m);
            ClosingPosition memory c = closes[i++];
            c.size = p.size;
            c.openNotional = p.openNotional;
            c.fundingPaid = FundingMath.accruedFunding(p.size, p.lastFundingIndex, fundingIndex);
            c.price = IPriceOracle(address(core.oracle())).getPrice(params.feedId);
            c.skew = int256(uint256(state.longOpenInterest)) - int256(uint256(state.shortOpenInterest));
            c.skewScale = params.skewScale;
            c.tiers = tiers;
            (c.previousTiers, c.rampStart, c.rampEnd) = core.marginRamp(m);
        }
    }

    function _countLiquidation(LiquidationPreview memory r, uint256 covered) internal {
        ++liquidations;
        if (!r.full) ++partialLiquidations;
        if (r.badDebt != 0) ++badDebtLiquidations;
        if (r.badDebt > covered) ++socialisedLiquidations;
    }

    function _chooseDelta(uint256 id, uint256 marketId, uint256 kindSeed, uint256 amountSeed)
        internal
        view
        returns (int256)
    {
        Position memory position = core.getPosition(id, marketId);
        AccountHealth memory h = core.accountHealth(id);
        uint256 price = oracle.getPrice(feedIds[marketId]);
        int256 free = h.equity - int256(h.initialMargin);
        uint256 freeUsd = free > 20e18 ? uint256(free) : 20e18;
        uint256 kind = kindSeed % 6;
        // Notional up to 12× the free margin: at 10% IM, the top multiples are refused with InsufficientMargin.
        // Leverage on the free margin: mostly 50–110% of about the most a $10k account can take (BTC 25x, ETH 10x,
        // SOL 20x with their tiers), so accounts sit near their limits and price moves liquidate them.
        uint256 maxLeverage = marketId == 0 ? 25 : marketId == 1 ? 10 : 20;
        uint256 leverage = amountSeed % 4 == 0
            ? 1 + amountSeed % maxLeverage
            : maxLeverage * (50 + (amountSeed >> 8) % 61) / 100;
        int256 openSize = int256(freeUsd * leverage * WAD / price);
        if (position.size == 0 || kind <= 1) {
            int256 sign = position.size != 0 ? _sign(position.size) : ((amountSeed >> 16) % 2 == 0 ? int256(1) : -1);
            return sign * openSize;
        }
        if (kind <= 3) return -position.size * int256(1 + (amountSeed >> 16) % 99) / 100; // reduce
        if (kind == 4) return -position.size; // close
        return -position.size - _sign(position.size) * openSize / 4; // flip
    }

    // ================================================================ internals: checks

    function _snapshot() internal view returns (Snapshot memory s) {
        uint256 n = accountIds.length;
        s.equity = new int256[](n);
        s.margin = new int256[](n);
        s.haircut = new int256[](n);
        s.liquidatable = new bool[](n);
        for (uint256 i; i < n; ++i) {
            AccountHealth memory h = core.accountHealth(accountIds[i]);
            s.equity[i] = h.equity;
            s.margin[i] = h.margin;
            s.haircut[i] = core.getAccount(accountIds[i]).margin - h.margin;
            s.liquidatable[i] = h.liquidatable;
        }
    }

    /// @dev Invariant 8 (no one else's action moves an account) and 10: at a fixed price and time, an action on
    /// some accounts leaves every other account's margin and equity exactly where they were, at face value. What
    /// unconverted profit is worth may move with the haircut ratio (the waterfall's last step, DESIGN §8): a trade
    /// refreshes its market's unrealised PnL in the ratio, bad debt beyond LP capital lowers it.
    function _checkOthersUnchanged(Snapshot memory before, bool[] memory touched) internal view {
        for (uint256 i; i < before.equity.length; ++i) {
            if (touched[i]) continue;
            AccountHealth memory h = core.accountHealth(accountIds[i]);
            int256 haircut = core.getAccount(accountIds[i]).margin - h.margin;
            require(h.equity + haircut == before.equity[i] + before.haircut[i], "INV8: another account's equity moved");
            require(h.margin + haircut == before.margin[i] + before.haircut[i], "INV10: another account's margin moved");
        }
    }

    /// @dev Invariant 10: an account without positions keeps its margin unless its own deposit/withdraw moves it.
    function _afterAction(bool[] memory touched) internal {
        for (uint256 i; i < accountIds.length; ++i) {
            uint256 id = accountIds[i];
            Account memory account = core.getAccount(id);
            if (account.activeMarkets != 0) {
                flat[id] = false;
                continue;
            }
            if (flat[id] && !touched[i]) {
                require(account.margin == flatMargin[id], "INV10: an account without positions lost collateral");
            }
            flat[id] = true;
            flatMargin[id] = account.margin;
        }
    }

    /// @dev ERC-4626 price per share (with the virtual offset) never falls through a deposit or a redeem.
    function _checkSharePriceKept(IERC4626 pool, uint256 assets0, uint256 supply0) internal view {
        uint256 assets1 = pool.totalAssets();
        uint256 supply1 = pool.totalSupply();
        require((assets1 + 1) * (supply0 + 1e6) >= (assets0 + 1) * (supply1 + 1e6), "share price fell");
    }

    // ================================================================ internals: helpers

    function _createAccount(address owner, bool isolated, uint256 marketId, uint256 assets)
        internal
        returns (uint256 id)
    {
        VM.prank(owner);
        id = core.createAccount(isolated, marketId);
        _mintApprove(owner, address(core), assets);
        VM.prank(owner);
        core.deposit(id, assets);
    }

    function _mintApprove(address owner, address spender, uint256 assets) internal {
        token.mint(owner, assets);
        VM.prank(owner);
        token.approve(spender, type(uint256).max);
    }

    function _registerRecipient(address recipient) internal {
        if (isRecipient[recipient]) return;
        isRecipient[recipient] = true;
        recipients.push(recipient);
    }

    function _pickAccountIndex(uint256 seed) internal view returns (uint256 index, uint256 id) {
        index = seed % accountIds.length;
        id = accountIds[index];
    }

    function _pickAccount(uint256 seed) internal view returns (uint256 index, uint256 id, Account memory account) {
        (index, id) = _pickAccountIndex(seed);
        account = core.getAccount(id);
    }

    function _findLiquidatable(uint256 index, uint256 id) internal view returns (uint256, uint256) {
        uint256 n = accountIds.length;
        for (uint256 k; k < n; ++k) {
            uint256 i = (index + k) % n;
            if (core.accountHealth(accountIds[i]).liquidatable) return (i, accountIds[i]);
        }
        return (index, id);
    }

    /// @dev The owner, or (for trader 5, one time in two) its approved operator.
    function _caller(address owner, uint256 seed) internal view returns (address) {
        return owner == traders[5] && seed % 2 == 1 ? operator : owner;
    }

    function _only(uint256 index) internal view returns (bool[] memory touched) {
        touched = new bool[](accountIds.length);
        touched[index] = true;
    }

    function _feedBounds(uint256 m) internal view returns (uint256 minWad, uint256 maxWad) {
        OracleAdapter.FeedConfig memory c = oracle.feedConfig(feedIds[m]);
        return (c.minPriceWad, c.maxPriceWad);
    }

    function _selector(bytes memory reason) internal pure returns (bytes4 s) {
        if (reason.length < 4) return bytes4(0);
        assembly ("memory-safe") {
            s := mload(add(reason, 32))
        }
    }

    function _abs(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }

    function _sign(int256 x) internal pure returns (int256) {
        return x >= 0 ? int256(1) : -1;
    }

    function _positive(int256 x) internal pure returns (uint256) {
        return x > 0 ? uint256(x) : 0;
    }
}

/// @title InvariantsTest
/// @notice The invariant campaign of DESIGN §6 against the real core, oracle adapter, liquidity vault and insurance
/// pool (a 6-decimal token, three markets: progressive BTC tiers with skew premium, fees and funding; a 10%/5%
/// ETH market with funding but no premium; an ETH-tier SOL market without fees or funding).
/// @dev The fuzzer calls `AdvInvariantHandler`'s actions in random order with random arguments; `failOnRevert`
/// makes every handler-level assertion (invariants 3, 4, 5, 6, 8, 9, 10, checked around each action) fatal,
/// and `invariant_ballast` checks invariants 1 and 2 and the market aggregates after every step.
/// Campaign size: 100 runs × 150 calls = 15,000 steps (asserted per run in `afterInvariant`).
contract InvariantsTest {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant SCALE = 1e12;
    uint256 internal constant DEPTH = 150;

    AdvInvariantHandler internal handler;
    BallastCore internal core;
    MockERC20 internal token;
    LiquidityVault internal vault;
    InsurancePool internal insurance;

    function setUp() public {
        token = new MockERC20("USD Coin (mock)", "USDC", 6);
        OracleAdapter oracle = new OracleAdapter(address(this));
        AdvDeployment memory d;
        d.token = token;
        d.oracle = oracle;
        string[3] memory symbols = ["BTC/USD", "ETH/USD", "SOL/USD"];
        int256[3] memory answers = [int256(50_000e8), int256(2_000e8), int256(100e8)];
        uint256[3] memory minWad = [uint256(1_000e18), uint256(10e18), uint256(1e17)];
        uint256[3] memory maxWad = [uint256(10_000_000e18), uint256(1_000_000e18), uint256(100_000e18)];
        for (uint256 m; m < 3; ++m) {
            d.feeds[m] = new MockAggregator(8, answers[m], symbols[m]);
            d.feedIds[m] = keccak256(bytes(symbols[m]));
            oracle.setFeed(d.feedIds[m], AggregatorV3Interface(address(d.feeds[m])), 3_600, minWad[m], maxWad[m]);
        }

        core = new BallastCore(
            token,
            IPriceOracle(address(oracle)),
            address(this),
            RiskParams({
                liquidationFeeRate: 0.005e18,
                keeperRewardShare: 0.5e18,
                liquidationBuffer: 0.1e18,
                fullLiquidationHealthFactor: 0.5e18,
                minRemainingNotional: 500e18,
                insuranceFeeShare: 0.2e18,
                keeperRewardFloor: 2e18, // ≤ (0.5% − 0.06% taker) × $500 = $2.20
                vaultReserveFactor: 0.5e18,
                // Capacity against the $2M of LP capital: $2M a side, $1M of skew, traders' PnL up to $600k.
                maxOpenInterestFactor: 1e18,
                maxSkewFactor: 0.5e18,
                maxPnlFactor: 0.3e18
            })
        );
        core.grantRole(core.RISK_MANAGER_ROLE(), address(this));
        core.grantRole(core.PAUSER_ROLE(), address(this));
        core.listMarket(
            MarketParams({
                feedId: d.feedIds[0],
                maxOpenInterestPerSide: 200e18,
                minPositionNotional: 10e18,
                skewScale: 10_000e18,
                takerFeeRate: 0.0005e18,
                makerFeeRate: 0.0002e18,
                fundingScale: 100e18,
                maxFundingRatePerSecond: uint64(uint256(0.01e18) / 3_600),
                marginRampDuration: 0
            }),
            _btcTiers()
        );
        core.listMarket(
            MarketParams({
                feedId: d.feedIds[1],
                maxOpenInterestPerSide: 5_000e18,
                minPositionNotional: 10e18,
                skewScale: 0,
                takerFeeRate: 0.0006e18,
                makerFeeRate: 0.0002e18,
                fundingScale: 2_000e18,
                maxFundingRatePerSecond: uint64(uint256(0.005e18) / 3_600),
                marginRampDuration: 0
            }),
            _simpleTiers()
        );
        core.listMarket(
            MarketParams({
                feedId: d.feedIds[2],
                maxOpenInterestPerSide: 100_000e18,
                minPositionNotional: 10e18,
                skewScale: 1_000_000e18,
                takerFeeRate: 0,
                makerFeeRate: 0,
                fundingScale: 0,
                maxFundingRatePerSecond: 0,
                marginRampDuration: 0
            }),
            _ethTiers()
        );
        vault = new LiquidityVault(core, address(this), 1 minutes, "Ballast LP", "bLP");
        insurance = new InsurancePool(core, address(this), 1 hours, "Ballast Insurance", "bINS");
        core.initializePools(address(vault), address(insurance));
        d.core = core;
        d.settler = new AdvDirectSettler(core, oracle);
        core.setOrderBook(address(d.settler));
        d.vault = vault;
        d.insurance = insurance;

        address[6] memory traders =
            [address(0x1001), address(0x1002), address(0x1003), address(0x1004), address(0x1005), address(0x1006)];
        handler = new AdvInvariantHandler(d, traders, address(0x2001));
        core.grantRole(core.PAUSER_ROLE(), address(handler));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Invariants 1 and 2 and the market aggregates, after every step of every run (100 runs × 150 steps).
    /// hardhat-config: invariant.runs = 100
    /// hardhat-config: invariant.depth = 150
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_ballast_100runs_x_150steps() public view {
        uint256 n = handler.accountCount();
        int256 margins;
        int256 equities;
        uint256 positions;
        int256[3] memory longs;
        int256[3] memory shorts;
        int256[3] memory openNotional;
        int256[3] memory fundingBasis;
        uint256 profits;
        int256 principals;
        int256 haircuts;
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.accountIds(i);
            Account memory account = core.getAccount(id);
            AccountHealth memory h = core.accountHealth(id);
            margins += account.margin;
            equities += h.equity;
            // Unconverted profit is part of the margin; what it loses to the haircut is never negative.
            require(int256(uint256(account.profit)) <= _max0(account.margin), "profit above the margin");
            profits += account.profit;
            principals += account.margin - int256(uint256(account.profit));
            require(
                h.margin <= account.margin && h.margin >= account.margin - int256(uint256(account.profit)),
                "haircut outside [0, profit]"
            );
            haircuts += account.margin - h.margin;
            uint256 open;
            for (uint256 m; m < 3; ++m) {
                Position memory p = core.getPosition(id, m);
                bool active = (uint256(account.activeMarkets) >> m) & 1 == 1;
                require(active == (p.size != 0), "activeMarkets bitmap out of step with positions");
                if (p.size == 0) {
                    require(p.openNotional == 0, "closed position keeps a basis");
                    continue;
                }
                ++open;
                if (p.size > 0) longs[m] += p.size;
                else shorts[m] -= p.size;
                openNotional[m] += p.openNotional;
                // One-slot positions: the core stores the basis in whole nano-dollars, so every basis must be one.
                require(p.openNotional % 1e9 == 0, "a basis is not whole nano-dollars");
                fundingBasis[m] += _ceilWad(int256(p.size) * p.lastFundingIndex);
            }
            if (account.isolated) require(open <= 1, "isolated account in two markets");
            if (open == 0) {
                require(account.margin >= 0, "INV: account with no positions and negative margin");
                // Invariant 11: a flat account may take out all of its margin (as the haircut values it).
                require(h.withdrawable == uint256(h.margin), "INV11: a flat account cannot withdraw all of its margin");
            }
            positions += open;
        }
        // The vault values the traders' net position at its exit price (skew premium included): Σ equity (at the
        // mark price) + NAV falls short of the ledgers by that premium, netSize² × price / (2 × skewScale) per market.
        int256 exitPremiums;
        int256 marketPnl;
        for (uint256 m; m < 3; ++m) {
            (MarketParams memory params, MarketState memory s,) = core.getMarket(m);
            int256 netSize = longs[m] - shorts[m];
            if (params.skewScale != 0 && netSize != 0) {
                uint256 price = core.oracle().getPrice(params.feedId);
                uint256 size = uint256(netSize > 0 ? netSize : -netSize);
                exitPremiums += int256(size * price / 1e18 * size / (2 * uint256(params.skewScale))) + 2;
            }
            require(int256(uint256(s.longOpenInterest)) == longs[m], "long open interest != sum of longs");
            require(int256(uint256(s.shortOpenInterest)) == shorts[m], "short open interest != sum of shorts");
            require(s.netOpenNotional == openNotional[m], "netOpenNotional != sum of bases");
            require(s.netFundingBasis == fundingBasis[m], "netFundingBasis != sum of ceil(size x entry index)");
            marketPnl += s.tradersPnl;
        }

        (int256 vaultLedger, uint256 insuranceLedger) = core.ledgers();
        uint256 rewards;
        address[] memory recipients = handler.recipientList();
        for (uint256 i; i < recipients.length; ++i) {
            rewards += core.claimableRewards(recipients[i]);
        }
        require(rewards == core.totalUnclaimedRewards(), "totalUnclaimedRewards != sum of claimable rewards");
        // Invariant 1: token conservation, to the unit.
        require(
            int256(token.balanceOf(address(core)) * SCALE)
                == margins + vaultLedger + int256(insuranceLedger) + int256(rewards),
            "INV1: token balance != sum of ledgers"
        );
        // Invariant 12: every trader's principal is backed by tokens that belong to no insurance staker and no keeper;
        // only unconverted profit waits on LP capital, and the haircut's totals are the sums they stand for.
        (uint256 totalProfit, int256 tradersPnl,) = core.profitHaircut();
        require(totalProfit == profits, "totalProfit != sum of unconverted profit");
        require(tradersPnl == marketPnl, "tradersPnl != sum of the markets'");
        require(
            int256(token.balanceOf(address(core)) * SCALE) - int256(insuranceLedger) - int256(rewards) >= principals,
            "INV12: traders' principal not backed by tokens"
        );
        // Invariant 6 (insurance side): the pool's assets are the insurance ledger.
        require(insurance.totalAssets() == insuranceLedger / SCALE, "insurance pool assets != insurance ledger");

        // Invariant 2: PnL and funding are zero-sum between traders and the vault. Σ equity + vault NAV is
        // Σ margins + LP ledger up to rounding, which always favours the protocol (never above), and is dust.
        int256 claims = equities + core.vaultNetAssetValue();
        int256 assets = margins + vaultLedger;
        require(claims <= assets, "INV2: traders + vault claim more than the ledgers hold");
        require(
            assets - claims <= int256(2 * positions + 6) + exitPremiums + haircuts,
            "INV2: funding/PnL rounding dust (beyond the exit premium) too large"
        );
    }

    /// @notice Every run executed its full depth of handler calls.
    function afterInvariant() public view {
        require(handler.calls() == DEPTH, "run shorter than its depth");
        require(handler.minimalityChecks() == handler.partialLiquidations(), "INV14: a partial liquidation went unchecked");
    }

    function _btcTiers() internal pure returns (MarginTier[] memory t) {
        t = new MarginTier[](4);
        t[0] = MarginTier(50_000e18, 0.02e18, 0.01e18);
        t[1] = MarginTier(500_000e18, 0.04e18, 0.02e18);
        t[2] = MarginTier(5_000_000e18, 0.1e18, 0.05e18);
        t[3] = MarginTier(50_000_000e18, 0.25e18, 0.125e18);
    }

    function _ethTiers() internal pure returns (MarginTier[] memory t) {
        t = new MarginTier[](4);
        t[0] = MarginTier(25_000e18, 0.025e18, 0.0125e18);
        t[1] = MarginTier(250_000e18, 0.05e18, 0.025e18);
        t[2] = MarginTier(2_500_000e18, 0.1e18, 0.05e18);
        t[3] = MarginTier(25_000_000e18, 0.25e18, 0.125e18);
    }

    function _simpleTiers() internal pure returns (MarginTier[] memory t) {
        t = new MarginTier[](1);
        t[0] = MarginTier(1_000_000_000e18, 0.1e18, 0.05e18);
    }

    /// @dev x / 1e18 rounded toward +infinity (Solidity's `/` truncates toward zero), written independently of
    /// the protocol's WadMath.
    function _max0(int256 x) internal pure returns (int256) {
        return x > 0 ? x : int256(0);
    }

    function _ceilWad(int256 x) internal pure returns (int256 q) {
        q = x / 1e18;
        if (x % 1e18 > 0) q += 1;
    }
}
