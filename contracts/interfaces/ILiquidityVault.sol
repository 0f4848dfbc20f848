// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILedgerShareVault} from "./ILedgerShareVault.sol";

/// @title ILiquidityVault
/// @notice The LP share token (ERC-4626) over the core's LP ledger. The vault is the counterparty of every
/// trade, so its NAV (`totalAssets`) moves with the traders' unrealised PnL and funding.
/// @dev Warning: `totalAssets`, every preview and every max* function revert while any market's oracle is
/// unusable: pricing shares off a stale NAV would let LPs enter or leave at the wrong price.
/// Warning: withdrawals are capped by the core's open-interest reserve (`maxWithdraw`, `maxRedeem`).
/// Warning: deposits stop (`maxDeposit` = `maxMint` = 0) while shares exist and the NAV reads zero: the core
/// floors a negative NAV at zero, so a new deposit would first pay the traders' profit.
// solhint-disable-next-line no-empty-blocks
interface ILiquidityVault is ILedgerShareVault {}
