// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBallastErrors} from "./IBallastErrors.sol";
import {IBallastLedger} from "./IBallastLedger.sol";

/// @title ILedgerShareVault
/// @notice What the liquidity vault and the insurance pool share: ERC-4626 shares over one of the core's
/// internal ledgers. Both contracts also implement IERC4626; it is not re-declared here to keep the
/// override lists of the implementations short.
/// @dev Assets are collateral-token units. The share token has the asset's decimals plus 6 (virtual-share
/// offset against the first-depositor inflation attack).
/// Warning: the insurance pool's stakes move tokens from the caller straight to the core; the liquidity vault escrows
/// the assets of pending deposit requests until they settle (see `ILiquidityVault`). Neither holds any other asset.
/// Warning: the collateral token must be a plain ERC-20. Fee-on-transfer tokens are rejected; rebasing
/// tokens are unsupported (the core counts its own ledger, not its balance, so a rebase is never credited).
interface ILedgerShareVault is IBallastErrors {
    /// @notice The Ballast core that holds the tokens and keeps the ledger these shares are a claim on.
    function ledger() external view returns (IBallastLedger);
}
