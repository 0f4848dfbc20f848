// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarketParams, MarketState} from "../interfaces/IBallastCore.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title VaultAccounting
/// @notice The liquidity vault's net asset value and reserve, over every market. An external (linked) library
/// that runs in the core's context, so that the core's runtime code stays under the EIP-170 size limit.
library VaultAccounting {
    /// @notice NAV = LP ledger − traders' net unrealised PnL + traders' net accrued funding, over every market;
    /// reserve = reserveFactor × Σ |net skew| × price. Rounded against the LP (PnL up, funding owed down).
    /// @dev Traders' PnL is valued at the price their net position would close at, skew premium included
    /// (`exitValue`), so a premium paid on entry never shows up in NAV before the trader gives it back on exit:
    /// nobody can open a skewed position, redeem LP shares at the inflated NAV, and close.
    /// @dev Reads every market's price: reverts if any oracle is unusable.
    function netAssetValue(
        mapping(uint256 => MarketParams) storage marketParams,
        mapping(uint256 => MarketState) storage marketStates,
        uint256 marketCount,
        IPriceOracle oracle,
        int256 vaultLedger,
        uint256 reserveFactor
    ) external view returns (int256 nav, uint256 reserve) {
        nav = vaultLedger;
        uint256 skewNotional;
        for (uint256 marketId; marketId < marketCount; ++marketId) {
            MarketState memory state = marketStates[marketId];
            MarketParams memory params = marketParams[marketId];
            uint256 price = oracle.getPrice(params.feedId);
            int256 netSize = int256(uint256(state.longOpenInterest)) - int256(uint256(state.shortOpenInterest));
            int256 fundingIndex = FundingMath.nextIndex(
                state.fundingIndex,
                FundingMath.fundingRate(netSize, params.fundingScale, params.maxFundingRatePerSecond),
                price,
                block.timestamp - state.lastFundingTime
            );
            int256 tradersPnl = exitValue(netSize, price, params.skewScale) - state.netOpenNotional;
            // Σ size × (index − entry) = netSize × index − Σ size × entry, with netSize × index floored
            // (−ceil(−x) = floor(x)): what traders owe the LP is never overstated by this term.
            int256 tradersOweFunding = -WadMath.mulWadCeil(-netSize, fundingIndex) - state.netFundingBasis;
            nav += tradersOweFunding - tradersPnl;
            skewNotional += PositionMath.notional(netSize, price);
        }
        reserve = WadMath.mulWadUp(skewNotional, reserveFactor);
    }

    /// @notice What the traders' net position of `netSize` is worth if it closed now: netSize × the fill price of a
    /// trade of −netSize against a skew of netSize, price × (1 + netSize / (2 × skewScale)) (the average skew of
    /// the close is netSize / 2), floored at a price of 0. Rounded up (traders' PnL up, against the LP).
    function exitValue(int256 netSize, uint256 price, uint256 skewScale) internal pure returns (int256) {
        int256 atMark = WadMath.mulDivCeil(netSize, price, WadMath.WAD);
        if (skewScale == 0) return atMark;
        int256 factor = int256(2 * skewScale) + netSize;
        if (factor <= 0) return 0;
        return WadMath.mulDivCeil(atMark, uint256(factor), 2 * skewScale);
    }
}
