// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILedgerShareVault} from "./ILedgerShareVault.sol";

/// @title IERC7540Operator
/// @notice ERC-7540's operator approval: an operator may make and add to requests on a controller's behalf.
/// @dev ERC-165 id 0xe3bc4e65.
interface IERC7540Operator {
    /// @notice `controller` approved (or revoked) `operator` for its requests.
    event OperatorSet(address indexed controller, address indexed operator, bool approved);

    /// @notice Approves or revokes `operator` for the caller's requests; returns true.
    function setOperator(address operator, bool approved) external returns (bool);

    /// @notice Whether `operator` may act for `controller`.
    function isOperator(address controller, address operator) external view returns (bool);
}

/// @title IERC7540Redeem
/// @notice ERC-7540's asynchronous redemption request interface. Request ids are always 0: a controller has at
/// most one redemption request, and adding to it merges (ERC-7540's "requestId 0 = aggregated" rule).
/// @dev ERC-165 id 0x620ee8e4.
interface IERC7540Redeem {
    /// @notice ERC-7540: `sender` escrowed `shares` of `owner` for `controller`'s redemption request `requestId`.
    event RedeemRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 shares
    );

    /// @notice Escrows `shares` of `owner` in this contract and adds them to `controller`'s redemption request.
    /// @dev The caller is `owner`, an operator of `owner`, or holds an ERC-20 allowance of `owner` for the shares.
    /// @return requestId Always 0 (one aggregated request per controller).
    function requestRedeem(uint256 shares, address controller, address owner) external returns (uint256 requestId);

    /// @notice Shares of `controller`'s request waiting for settlement (before or after its unlock time).
    function pendingRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares);

    /// @notice Always 0: settlement pays the controller directly, so nothing is ever waiting to be claimed.
    function claimableRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares);
}

/// @title IAsyncShareVault
/// @notice What the liquidity vault and the insurance pool share for leaving: binding, asynchronous redemption.
/// A holder requests a redemption; its shares move into this contract (escrow) at once and stay in the total
/// supply, so they keep bearing every loss; after a delay anyone may settle the request, which burns the shares and
/// has the core pay the controller. There is no cancellation.
/// @dev Pricing (the same rule everywhere): a request is settled at the worse, for the requester, of the share
/// price when it was made and the share price when it is settled. For a redemption that is
/// `min(assetsAtRequest, convertToAssets(shares) at settlement)`. So a requester cannot lock in a price it knows
/// is about to fall (the settlement price counts the fall), and cannot wait for a better one (the request price
/// caps it): gains after the request go to the holders who stay; losses until settlement are shared.
/// Warning: a request cannot be cancelled. A cancellable request would be a free option: request, then cancel if
/// the share price rises, settle if it is about to fall.
/// Warning: the synchronous ERC-4626 exits (`withdraw`, `redeem`) revert with `SynchronousFlowDisabled`; their
/// `max*` views return 0 and their previews revert, as ERC-7540 prescribes for asynchronous flows.
interface IAsyncShareVault is ILedgerShareVault, IERC7540Operator, IERC7540Redeem {
    /// @notice A pending request.
    /// @param amount Shares (redemption) or assets in token units (deposit) escrowed for the controller.
    /// @param quote What `amount` converted to at the request's share price, rounded down: assets (redemption) or
    /// shares (deposit). Settlement never gives the controller more than this.
    /// @param unlockTime First second at which anyone may settle the request.
    struct Request {
        uint128 amount;
        uint128 quote;
        uint64 unlockTime;
    }

    /// @notice `settler` settled `controller`'s redemption request: `shares` burnt, `assets` paid to `controller`.
    /// @param assetsAtRequest The request's quote; `assets` is the lower of it and the shares' value at settlement.
    event RedeemSettled(
        address indexed controller, address indexed settler, uint256 shares, uint256 assets, uint256 assetsAtRequest
    );

    /// @notice Synchronous ERC-4626 entry points are disabled here: use the request functions and `settle…`.
    error SynchronousFlowDisabled();

    /// @notice `caller` may not act for `account` (not the account, not an operator of it, no allowance).
    error NotOwnerOrOperator(address account, address caller);

    /// @notice `controller` has no pending request of this kind.
    error NoPendingRequest(address controller);

    /// @notice `controller`'s request cannot be settled before `unlockTime` (it is `timestamp` now). A request is
    /// never settleable in the block it was made in.
    error SettlementTooEarly(address controller, uint256 unlockTime, uint256 timestamp);

    /// @notice The admin of the contract's access control cannot be the zero address.
    error ZeroAdmin();

    /// @notice A redemption request names `shares` but the owner holds `balance`.
    error RequestExceedsBalance(uint256 balance, uint256 shares);

    /// @notice Settles `controller`'s redemption request; anyone may call once it is unlocked.
    /// @dev Burns the escrowed shares and pays `min(quote, convertToAssets(shares))` to `controller`. Reverts with
    /// `SettlementTooEarly` before the unlock time, `NoPendingRequest` without a request, and with the ledger's
    /// error when the core cannot pay (for the vault: `VaultReserveBreached`); the request then stays pending.
    /// @return assets Paid to `controller`, token units.
    function settleRedeem(address controller) external returns (uint256 assets);

    /// @notice What `settleRedeem(controller)` would pay now (ignoring whether it is unlocked), token units.
    function previewSettleRedeem(address controller) external view returns (uint256 assets);

    /// @notice `controller`'s pending redemption request (all zero when none).
    function redeemRequest(address controller) external view returns (Request memory);

    /// @notice ERC-7575: the share token, this contract.
    function share() external view returns (address);
}
