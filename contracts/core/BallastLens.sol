// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Account, AccountHealth, IBallastCore, LiquidationPreview, Position} from "../interfaces/IBallastCore.sol";

/// @title BallastLens
/// @notice Stateless batch views over a Ballast core, for keepers, indexers and frontends. Every figure comes
/// from the core's own views, so the lens can never disagree with the core. (Kept out of the core to keep the
/// core under the EIP-170 code-size limit.)
contract BallastLens {
    /// @notice A position together with its market id.
    struct PositionView {
        uint256 marketId;
        Position position;
    }

    /// @notice `core.accountHealth` for each of `accountIds`.
    function accountHealths(IBallastCore core, uint256[] calldata accountIds)
        external
        view
        returns (AccountHealth[] memory healths)
    {
        healths = new AccountHealth[](accountIds.length);
        for (uint256 i; i < accountIds.length; ++i) {
            healths[i] = core.accountHealth(accountIds[i]);
        }
    }

    /// @notice `core.previewLiquidation` for each of `accountIds`.
    function previewLiquidations(IBallastCore core, uint256[] calldata accountIds)
        external
        view
        returns (LiquidationPreview[] memory previews)
    {
        previews = new LiquidationPreview[](accountIds.length);
        for (uint256 i; i < accountIds.length; ++i) {
            previews[i] = core.previewLiquidation(accountIds[i]);
        }
    }

    /// @notice Every open position of `accountId`, in market order.
    function positions(IBallastCore core, uint256 accountId) external view returns (PositionView[] memory views) {
        Account memory account = core.getAccount(accountId);
        uint256 remaining = account.activeMarkets;
        uint256 count;
        for (uint256 bits = remaining; bits != 0; bits &= bits - 1) {
            ++count;
        }
        views = new PositionView[](count);
        for (uint256 marketId; remaining != 0; ++marketId) {
            if (remaining & 1 != 0) {
                views[count - _popCount(remaining)] = PositionView(marketId, core.getPosition(accountId, marketId));
            }
            remaining >>= 1;
        }
    }

    function _popCount(uint256 bits) private pure returns (uint256 count) {
        for (; bits != 0; bits &= bits - 1) {
            ++count;
        }
    }
}
