// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAsyncShareVault, IERC7540Operator, IERC7540Redeem} from "../interfaces/IAsyncShareVault.sol";
import {IBallastLedger} from "../interfaces/IBallastLedger.sol";
import {LedgerShareVault} from "./LedgerShareVault.sol";

/// @title AsyncRedeemVault
/// @notice Binding, asynchronous redemptions (ERC-7540's redeem side) over a `LedgerShareVault`, shared by the
/// liquidity vault and the insurance pool. See `IAsyncShareVault` for the rules: escrow at request, settlement by
/// anyone after the child's delay, at the worse of the request-time and settlement-time price, no cancellation.
/// @dev Children supply the delay (`_settlementDelay`) and its setter. The synchronous ERC-4626 exits revert.
abstract contract AsyncRedeemVault is LedgerShareVault, AccessControl, IAsyncShareVault {
    using SafeCast for uint256;

    /// @dev ERC-165 ids (ERC-7540 "Backwards compatibility"/"Interface ids"): operator methods, asynchronous
    /// redemption, ERC-7575.
    bytes4 internal constant ERC7540_OPERATOR_ID = 0xe3bc4e65;
    bytes4 internal constant ERC7540_REDEEM_ID = 0x620ee8e4;
    bytes4 internal constant ERC7575_ID = 0x2f0a18c5;

    /// @inheritdoc IERC7540Operator
    mapping(address controller => mapping(address operator => bool)) public override isOperator;

    mapping(address controller => Request) private _redeemRequests;

    constructor(IBallastLedger ledger_, address admin) LedgerShareVault(ledger_) {
        if (admin == address(0)) revert ZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- operators

    /// @inheritdoc IERC7540Operator
    function setOperator(address operator, bool approved) external returns (bool) {
        isOperator[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
        return true;
    }

    // ---------------------------------------------------------------- redemption requests

    /// @inheritdoc IERC7540Redeem
    function requestRedeem(uint256 shares, address controller, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        if (shares == 0) revert ZeroAmount();
        if (controller == address(0)) revert ZeroAddress();
        if (msg.sender != owner && !isOperator[owner][msg.sender]) _spendAllowance(owner, msg.sender, shares);
        uint256 balance = balanceOf(owner);
        if (shares > balance) revert RequestExceedsBalance(balance, shares);

        // Quote before the escrow transfer (which does not change the supply or the NAV anyway).
        uint256 assetsAtRequest = _convertToAssets(shares, Math.Rounding.Floor);
        _addRequest(_redeemRequests, controller, shares, assetsAtRequest);
        _transfer(owner, address(this), shares);

        emit RedeemRequest(controller, owner, 0, msg.sender, shares);
        return 0;
    }

    /// @inheritdoc IAsyncShareVault
    function settleRedeem(address controller) external nonReentrant returns (uint256 assets) {
        Request memory request = _takeUnlocked(_redeemRequests, controller);
        assets = Math.min(request.quote, _convertToAssets(request.amount, Math.Rounding.Floor));

        // Shares are gone before the core pays: a hook in the payout sees the post-settlement state.
        _burn(address(this), request.amount);
        _ledgerDebit(controller, assets);

        emit Withdraw(msg.sender, controller, controller, assets, request.amount);
        emit RedeemSettled(controller, msg.sender, request.amount, assets, request.quote);
    }

    /// @inheritdoc IAsyncShareVault
    function previewSettleRedeem(address controller) external view returns (uint256) {
        Request memory request = _redeemRequests[controller];
        return Math.min(request.quote, _convertToAssets(request.amount, Math.Rounding.Floor));
    }

    /// @inheritdoc IERC7540Redeem
    function pendingRedeemRequest(uint256, address controller) external view returns (uint256) {
        return _redeemRequests[controller].amount;
    }

    /// @inheritdoc IERC7540Redeem
    function claimableRedeemRequest(uint256, address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IAsyncShareVault
    function redeemRequest(address controller) external view returns (Request memory) {
        return _redeemRequests[controller];
    }

    /// @inheritdoc IAsyncShareVault
    function share() external view returns (address) {
        return address(this);
    }

    // ---------------------------------------------------------------- ERC-4626 exits: disabled (ERC-7540)

    /// @notice Disabled: leave through `requestRedeem` and `settleRedeem`.
    function withdraw(uint256, address, address) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice Disabled: leave through `requestRedeem` and `settleRedeem`.
    function redeem(uint256, address, address) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice 0: nothing is ever claimable through `withdraw` (ERC-7540: max* report claimable amounts).
    function maxWithdraw(address) public pure override returns (uint256) {
        return 0;
    }

    /// @notice 0: nothing is ever claimable through `redeem`.
    function maxRedeem(address) public pure override returns (uint256) {
        return 0;
    }

    /// @notice Reverts: ERC-7540 previews of an asynchronous flow MUST revert. See `previewSettleRedeem`.
    function previewWithdraw(uint256) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice Reverts: ERC-7540 previews of an asynchronous flow MUST revert. See `previewSettleRedeem`.
    function previewRedeem(uint256) public pure override returns (uint256) {
        revert SynchronousFlowDisabled();
    }

    /// @notice ERC-165: AccessControl's ids, ERC-7540 operator and asynchronous redemption, ERC-7575.
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == ERC7540_OPERATOR_ID || interfaceId == ERC7540_REDEEM_ID || interfaceId == ERC7575_ID
            || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- shared request book-keeping

    /// @dev Seconds between a request and its earliest settlement, as in force now. At least 1, so a request is
    /// never settleable in its own block.
    function _settlementDelay() internal view virtual returns (uint256);

    /// @dev Adds `amount` (quoted at `quote`) to `controller`'s request and restarts its clock. Adding to someone
    /// else's pending request is refused, or anyone could keep delaying it by adding 1 wei. Restarting the clock of
    /// the whole request costs only the requester: every part of it is priced at the worse of two prices anyway.
    function _addRequest(
        mapping(address => Request) storage requests,
        address controller,
        uint256 amount,
        uint256 quote
    ) internal {
        Request storage request = requests[controller];
        uint256 pending = request.amount;
        if (pending != 0 && msg.sender != controller && !isOperator[controller][msg.sender]) {
            revert NotOwnerOrOperator(controller, msg.sender);
        }
        request.amount = (pending + amount).toUint128();
        request.quote = (request.quote + quote).toUint128();
        request.unlockTime = (block.timestamp + _settlementDelay()).toUint64();
    }

    /// @dev Deletes and returns `controller`'s request once it is unlocked.
    function _takeUnlocked(mapping(address => Request) storage requests, address controller)
        internal
        returns (Request memory request)
    {
        request = requests[controller];
        if (request.amount == 0) revert NoPendingRequest(controller);
        if (block.timestamp < request.unlockTime) {
            revert SettlementTooEarly(controller, request.unlockTime, block.timestamp);
        }
        delete requests[controller];
    }

    /// @dev The token this vault's assets are in.
    function _assetToken() internal view returns (IERC20) {
        return IERC20(asset());
    }
}
