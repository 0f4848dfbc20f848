// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {ILedgerShareVault} from "../interfaces/ILedgerShareVault.sol";

/// @title LedgerShareVault
/// @notice ERC-4626 share accounting over one of the Ballast core's internal ledgers. The core keeps the tokens.
/// Shared by the liquidity vault and the insurance pool (through `AsyncRedeemVault`).
/// @dev Children choose the ledger by implementing the three `_ledger…` hooks.
abstract contract LedgerShareVault is ERC4626, ReentrancyGuardTransient, ILedgerShareVault {
    using SafeERC20 for IERC20;

    /// @dev Virtual shares per virtual asset = 10^6. A donation to the NAV (which, for the vault, anyone
    /// can make by losing trades to it) is shared with 10^6 virtual shares, so stealing one unit from the
    /// next depositor by inflating the share price costs the attacker about 10^6 units.
    /// Direct token transfers to the core are no such donation: the core counts its ledger, not its balance.
    uint8 private constant DECIMALS_OFFSET = 6;

    /// @inheritdoc ILedgerShareVault
    IBallastLedger public immutable override ledger;

    constructor(IBallastLedger ledger_) ERC4626(ledger_.collateralToken()) {
        ledger = ledger_;
    }

    /// @notice Assets behind all shares, in token units, as the core's ledger counts them.
    function totalAssets() public view override returns (uint256) {
        return _ledgerTotalAssets();
    }

    /// @dev Order: pull tokens into the core → credit the ledger → mint shares. As in OpenZeppelin, tokens
    /// move before shares are minted, so a token hook that re-enters sees the pre-deposit state, where
    /// assets and shares agree. The only call between the transfer and the mint is to the trusted core.
    /// `nonReentrant` because the fee-on-transfer check measures a balance difference: a deposit nested
    /// inside the transfer would be counted both by itself and by the outer measurement.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares)
        internal
        override
        nonReentrant
    {
        IERC20 token = IERC20(asset());
        address core = address(ledger);
        uint256 balanceBefore = token.balanceOf(core);
        token.safeTransferFrom(caller, core, assets);
        // Cannot underflow: the core's balance only grows in a transfer to it.
        uint256 received = token.balanceOf(core) - balanceBefore;
        if (received < assets) revert FeeOnTransferNotSupported(assets, received);

        _ledgerCredit(assets);
        _mint(receiver, shares);

        emit Deposit(caller, receiver, assets, shares);
    }

    /// @dev Exits never go through ERC-4626's `_withdraw`: both children disable `withdraw`/`redeem` and leave through
    /// `AsyncRedeemVault.settleRedeem` (burn the escrowed shares, then the core pays).

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    /// @dev This ledger's balance in the core, in token units, rounded down.
    function _ledgerTotalAssets() internal view virtual returns (uint256);

    /// @dev Credits `assets` already moved to the core.
    function _ledgerCredit(uint256 assets) internal virtual;

    /// @dev Debits `assets` and has the core pay them to `receiver`.
    function _ledgerDebit(address receiver, uint256 assets) internal virtual;
}
