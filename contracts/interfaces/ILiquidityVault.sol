// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAsyncShareVault} from "./IAsyncShareVault.sol";

/// @title IERC7540Deposit
/// @notice ERC-7540's asynchronous deposit request interface (request ids are always 0, one aggregated request per
/// controller), with its claim overloads.
/// @dev ERC-165 id 0xce3bbe50.
interface IERC7540Deposit {
    /// @notice ERC-7540: `sender` escrowed `assets` of `owner` for `controller`'s deposit request `requestId`.
    event DepositRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 assets
    );

    /// @notice Pulls `assets` from `owner` into this contract (escrow) and adds them to `controller`'s request.
    /// @dev The caller is `owner` or an operator of `owner`; `owner` approved this contract for the tokens.
    /// @return requestId Always 0.
    function requestDeposit(uint256 assets, address controller, address owner) external returns (uint256 requestId);

    /// @notice Assets of `controller`'s deposit request waiting for settlement, token units.
    function pendingDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    /// @notice Always 0: settlement mints the shares to the controller directly.
    function claimableDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    /// @notice ERC-7540 claim of a claimable deposit. Nothing is ever claimable here (settlement pushes the shares),
    /// so this always reverts with `SynchronousFlowDisabled`.
    function deposit(uint256 assets, address receiver, address controller) external returns (uint256 shares);

    /// @notice ERC-7540 claim of a claimable deposit, in shares. Always reverts, as `deposit` does.
    function mint(uint256 shares, address receiver, address controller) external returns (uint256 assets);
}

/// @title ILiquidityVault
/// @notice The LP share token (ERC-4626 accounting, ERC-7540 asynchronous deposits and redemptions) over the core's
/// LP ledger. The vault is the counterparty of every trade, so its NAV (`totalAssets`) moves with the traders'
/// unrealised PnL and funding. LPs enter and leave only through requests settled after `settlementDelay` at the
/// worse of the request-time and the settlement-time share price, so nobody gains by depositing or redeeming
/// around a PnL event it sees coming (DESIGN §8, invariant 13).
/// @dev Warning: `totalAssets`, `convertTo*`, every request and every settlement revert while any market's oracle
/// is unusable: pricing shares off a stale NAV would let LPs enter or leave at the wrong price.
/// Warning: assets of pending deposit requests sit in this contract, not in the core: they are not in the NAV and
/// neither earn nor lose until settled. Shares of pending redemption requests sit in this contract too, and do
/// count: they keep bearing the vault's PnL until settled.
/// Warning: a redemption settles only within the core's open-interest reserve (`vaultWithdrawableAssets`); past it
/// `settleRedeem` reverts with the core's `VaultReserveBreached` and the request stays pending.
/// Warning: deposit requests and settlements stop while shares exist and the NAV reads zero, or the NAV is below zero
/// even with no shares left (`NavWipedOut`): the core floors a negative NAV at zero, so a new deposit would first pay
/// the traders' profit.
interface ILiquidityVault is IAsyncShareVault, IERC7540Deposit {
    /// @notice `settler` settled `controller`'s deposit request: `assets` moved to the core, `shares` minted.
    /// @param sharesAtRequest The request's quote; `shares` is the lower of it and the assets' worth at settlement.
    event DepositSettled(
        address indexed controller, address indexed settler, uint256 assets, uint256 shares, uint256 sharesAtRequest
    );

    /// @notice Governance changed the settlement delay of future requests.
    event SettlementDelaySet(uint32 settlementDelay);

    /// @notice `settlementDelay` is outside [`min`, `max`] seconds.
    error SettlementDelayOutOfBounds(uint32 settlementDelay, uint32 min, uint32 max);

    /// @notice Shares exist and the NAV reads zero, or the NAV is below zero: no deposit can be requested or settled
    /// until it recovers.
    error NavWipedOut();

    /// @notice Settles `controller`'s deposit request; anyone may call once it is unlocked.
    /// @dev Moves the escrowed assets to the core, credits the LP ledger and mints
    /// `min(quote, convertToShares(assets))` shares to `controller`.
    /// @return shares Minted to `controller`.
    function settleDeposit(address controller) external returns (uint256 shares);

    /// @notice What `settleDeposit(controller)` would mint now (ignoring whether it is unlocked).
    function previewSettleDeposit(address controller) external view returns (uint256 shares);

    /// @notice `controller`'s pending deposit request (all zero when none).
    function depositRequest(address controller) external view returns (Request memory);

    /// @notice Sets the delay between a request and its earliest settlement, for requests made from now on.
    /// @dev Only DEFAULT_ADMIN_ROLE. Bounds [1 minute, 1 day].
    function setSettlementDelay(uint32 settlementDelay) external;

    /// @notice Seconds between a request and its earliest settlement.
    function settlementDelay() external view returns (uint32);
}
