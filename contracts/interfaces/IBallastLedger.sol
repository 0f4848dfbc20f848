// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IBallastLedger
/// @notice The part of the Ballast core that the liquidity vault and the insurance pool use.
/// @dev The core is the only contract that holds the collateral token. The vault and the insurance
/// pool are share ledgers over the core's internal LP and insurance ledgers: on a deposit (for the vault, on the
/// settlement of a deposit request) they move the tokens to the core and then call `credit…`; on an exit (the
/// settlement of a redemption request) they call `debit…`, and the core pays the receiver. Amounts here are in
/// collateral-token units.
interface IBallastLedger {
    /// @notice The collateral token (any decimals ≤ 18).
    function collateralToken() external view returns (IERC20);

    /// @notice Net asset value of the liquidity vault in token units, rounded down, floored at zero.
    /// @dev LP ledger minus traders' net unrealised PnL plus traders' accrued funding owed to the vault.
    /// Reads every listed market's price: reverts if any oracle is unusable.
    function vaultTotalAssets() external view returns (uint256 assets);

    /// @notice The most the vault can pay out now without breaching its open-interest reserve, in token units.
    function vaultWithdrawableAssets() external view returns (uint256 assets);

    /// @notice Whether the vault's NAV is below zero (`vaultTotalAssets` floors it at 0): LP capital owes traders more
    /// than it holds, so a new deposit would first pay their profit. Reverts while any oracle is unusable.
    function vaultInDeficit() external view returns (bool);

    /// @notice Credits `assets` that the vault has already moved from the depositor to the core.
    /// @dev Only the vault. The vault checks that exactly `assets` arrived (fee-on-transfer tokens are rejected).
    function creditVault(uint256 assets) external;

    /// @notice Debits `assets` from the LP ledger and pays them to `receiver`.
    /// @dev Only the vault. Reverts with `VaultReserveBreached` past `vaultWithdrawableAssets()`.
    function debitVault(address receiver, uint256 assets) external;

    /// @notice Balance of the insurance ledger in token units, rounded down.
    function insuranceTotalAssets() external view returns (uint256 assets);

    /// @notice Credits `assets` that the insurance pool has already moved from the staker to the core.
    /// @dev Only the insurance pool.
    function creditInsurance(uint256 assets) external;

    /// @notice Debits `assets` from the insurance ledger and pays them to `receiver`.
    /// @dev Only the insurance pool.
    function debitInsurance(address receiver, uint256 assets) external;
}
