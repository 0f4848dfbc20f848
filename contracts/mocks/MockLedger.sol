// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IBallastLedger} from "../interfaces/IBallastLedger.sol";

/// @title MockLedger
/// @notice LOCAL USE ONLY: a minimal IBallastLedger for unit tests of the vault and the insurance pool.
/// It holds the tokens and keeps the two ledgers; tests steer the vault's NAV and reserve through setters
/// that anyone may call.
contract MockLedger is IBallastLedger {
    using SafeERC20 for IERC20;

    /// @notice Where `absorbLoss` sends the tokens that bad debt consumed.
    address public constant LOSS_SINK = address(0xdEaD);

    IERC20 public immutable override collateralToken;
    address public vault;
    address public insurancePool;

    /// @notice LP ledger, in token units.
    uint256 public vaultLedger;
    /// @notice Insurance ledger, in token units.
    uint256 public insuranceLedger;
    /// @notice Added to the LP ledger to form the NAV (the vault's side of traders' PnL and funding).
    int256 public vaultPnl;
    /// @notice Part of the NAV that must stay in the vault (open-interest reserve), in token units.
    uint256 public vaultReserve;
    /// @notice When set, NAV reads revert as they do while an oracle is unusable.
    bool public navUnavailable;

    error NotVault(address caller);
    error NotInsurancePool(address caller);
    error CreditExceedsBalance(uint256 balance, uint256 accountedAfter);
    error VaultReserveBreached(uint256 assets, uint256 withdrawable);
    error InsufficientInsurance(uint256 assets, uint256 balance);
    error OracleUnavailable();

    constructor(IERC20 collateralToken_) {
        collateralToken = collateralToken_;
    }

    /// @notice Sets the only address allowed to credit and debit the LP ledger.
    function setVault(address vault_) external {
        vault = vault_;
    }

    /// @notice Sets the only address allowed to credit and debit the insurance ledger.
    function setInsurancePool(address insurancePool_) external {
        insurancePool = insurancePool_;
    }

    /// @notice Sets the vault's PnL adjustment (positive: traders lose to the vault).
    function setVaultPnl(int256 pnl) external {
        vaultPnl = pnl;
    }

    /// @notice Sets the open-interest reserve that `vaultWithdrawableAssets` keeps back.
    function setVaultReserve(uint256 reserve) external {
        vaultReserve = reserve;
    }

    /// @notice Makes NAV reads revert (oracle failure) or work again.
    function setNavUnavailable(bool unavailable) external {
        navUnavailable = unavailable;
    }

    /// @notice Pays `assets` of bad debt from the insurance ledger; the tokens leave to `LOSS_SINK`.
    function absorbLoss(uint256 assets) external {
        if (assets > insuranceLedger) revert InsufficientInsurance(assets, insuranceLedger);
        insuranceLedger -= assets;
        collateralToken.safeTransfer(LOSS_SINK, assets);
    }

    /// @notice Books `assets` of fee income to the insurance ledger, as the core does with its share of trading and
    /// liquidation fees. The tokens must already be here and not counted by either ledger.
    function creditFees(uint256 assets) external {
        _checkCovered(assets);
        insuranceLedger += assets;
    }

    /// @notice Sum of both ledgers: equals this contract's token balance unless someone donated.
    function accountedAssets() public view returns (uint256) {
        return vaultLedger + insuranceLedger;
    }

    /// @inheritdoc IBallastLedger
    function vaultTotalAssets() public view returns (uint256) {
        if (navUnavailable) revert OracleUnavailable();
        // Cast is safe for test amounts (< 2^255); a real core would use SafeCast.
        int256 nav = int256(vaultLedger) + vaultPnl;
        return nav > 0 ? uint256(nav) : 0;
    }

    /// @inheritdoc IBallastLedger
    function vaultInDeficit() external view returns (bool) {
        if (navUnavailable) revert OracleUnavailable();
        return int256(vaultLedger) + vaultPnl < 0;
    }

    /// @inheritdoc IBallastLedger
    function vaultWithdrawableAssets() public view returns (uint256) {
        // Unrealised gains are not cash: pay out at most the ledger, minus the reserve.
        uint256 nav = vaultTotalAssets();
        uint256 payable_ = nav < vaultLedger ? nav : vaultLedger;
        return payable_ > vaultReserve ? payable_ - vaultReserve : 0;
    }

    /// @inheritdoc IBallastLedger
    function creditVault(uint256 assets) external {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _checkCovered(assets);
        vaultLedger += assets;
    }

    /// @inheritdoc IBallastLedger
    function debitVault(address receiver, uint256 assets) external {
        if (msg.sender != vault) revert NotVault(msg.sender);
        uint256 withdrawable = vaultWithdrawableAssets();
        if (assets > withdrawable) revert VaultReserveBreached(assets, withdrawable);
        vaultLedger -= assets;
        collateralToken.safeTransfer(receiver, assets);
    }

    /// @inheritdoc IBallastLedger
    function insuranceTotalAssets() external view returns (uint256) {
        return insuranceLedger;
    }

    /// @inheritdoc IBallastLedger
    function creditInsurance(uint256 assets) external {
        if (msg.sender != insurancePool) revert NotInsurancePool(msg.sender);
        _checkCovered(assets);
        insuranceLedger += assets;
    }

    /// @inheritdoc IBallastLedger
    function debitInsurance(address receiver, uint256 assets) external {
        if (msg.sender != insurancePool) revert NotInsurancePool(msg.sender);
        if (assets > insuranceLedger) revert InsufficientInsurance(assets, insuranceLedger);
        insuranceLedger -= assets;
        collateralToken.safeTransfer(receiver, assets);
    }

    /// @dev A credit must be backed by tokens the ledgers do not already count.
    function _checkCovered(uint256 assets) private view {
        uint256 balance = collateralToken.balanceOf(address(this));
        uint256 accountedAfter = accountedAssets() + assets;
        if (balance < accountedAfter) revert CreditExceedsBalance(balance, accountedAfter);
    }
}
