// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPriceFeed} from "./IPriceFeed.sol";
import {Parameters} from "./Parameters.sol";
import {PorchlightToken} from "./PorchlightToken.sol";
import {PriceReader} from "./PriceReader.sol";

/// @title Credits
/// @notice USD-pegged, non-transferable credits, counted in micro-credits (1 credit = 1 US dollar =
///         10^6 micro-credits). Bought by burning the token at the feed's price, or with the
///         stablecoin: the stablecoin goes to the treasury and the same USD value of the token burns
///         from the buy-back reserve (the token this contract holds). Anyone may buy for any
///         beneficiary (a sponsor). Only Settlement spends credits, and spent credits are gone. A
///         client gets unspent credits back in stablecoin only Parameters.THAW_SECONDS after asking,
///         longer than a donor's settlement lag, and settlement may still spend them meanwhile.
contract Credits {
    using SafeERC20 for IERC20;
    using PriceReader for IPriceFeed;

    /// @notice The token that burns for credits.
    PorchlightToken public immutable token;
    /// @notice The stablecoin credits are bought with and withdrawn in (6 decimals: 1 unit = 1 micro-credit).
    IERC20 public immutable stablecoin;
    /// @notice USD per token.
    IPriceFeed public immutable priceFeed;
    /// @notice Receives stablecoin purchases; pays withdrawals (it approves this contract).
    address public immutable treasury;
    /// @notice May set the settlement contract, once.
    address public immutable admin;
    /// @notice The only spender of credits; zero until setSettlement.
    address public settlement;

    /// @notice Micro-credits held by each client.
    mapping(address client => uint256) public balanceOf;
    /// @notice Micro-credits held by everyone.
    uint256 public totalSupply;

    /// @notice A pending withdrawal: `amount` micro-credits asked for, payable from `unlockAt` (Unix seconds).
    struct Withdrawal {
        uint192 amount;
        uint64 unlockAt;
    }

    /// @notice Each client's pending withdrawal (zero when none).
    mapping(address client => Withdrawal) public withdrawals;

    /// @notice The settlement contract was set (it can never change afterwards).
    event SettlementSet(address indexed settlement);
    /// @notice `buyer` bought `microCredits` for `beneficiary` (the same account unless a sponsor),
    ///         burning `tokenBurnedWei`; `stablecoinPaid` is what went to the treasury (0 when paid in token).
    event CreditsBought(address indexed buyer, address indexed beneficiary, uint256 microCredits, uint256 tokenBurnedWei, uint256 stablecoinPaid);
    /// @notice `client` asked to withdraw up to `microCredits`, payable from `unlockAt`.
    event WithdrawalRequested(address indexed client, uint256 microCredits, uint256 unlockAt);
    /// @notice `client` cancelled its pending withdrawal.
    event WithdrawalCancelled(address indexed client);
    /// @notice `client` was paid `microCredits` micro-dollars of stablecoin for as many credits.
    event Withdrawn(address indexed client, uint256 microCredits);
    /// @notice Settlement burned `microCredits` from `clients` clients (each named in Settlement's ReceiptSettled).
    event CreditsSpent(uint256 microCredits, uint256 clients);

    /// @notice The caller is not the admin.
    error NotAdmin(address caller);
    /// @notice The caller is not the settlement contract.
    error NotSettlement(address caller);
    /// @notice setSettlement was already called.
    error SettlementAlreadySet(address settlement);
    /// @notice An address that must be set was zero.
    error ZeroAddress();
    /// @notice An amount that must be positive was zero.
    error ZeroAmount();
    /// @notice The stablecoin does not have Parameters.STABLECOIN_DECIMALS decimals.
    error WrongStablecoinDecimals(uint8 decimals);
    /// @notice The token to burn exceeds the buyer's limit (the price moved).
    error SlippageExceeded(uint256 tokenWei, uint256 maxTokenWei);
    /// @notice The buy-back reserve holds less token than the purchase must burn.
    error ReserveTooLow(uint256 reserveWei, uint256 neededWei);
    /// @notice The client holds fewer credits than asked for.
    error InsufficientCredits(uint256 balance, uint256 needed);
    /// @notice No withdrawal is pending.
    error NoWithdrawalPending();
    /// @notice The withdrawal is still thawing until `unlockAt`.
    error StillThawing(uint256 unlockAt);
    /// @notice spend's arrays differ in length.
    error LengthMismatch();

    /// @param token_ the token (burned for credits; the reserve is held here).
    /// @param stablecoin_ a 6-decimal stablecoin.
    /// @param priceFeed_ USD per token.
    /// @param treasury_ receives stablecoin; pays withdrawals.
    /// @param admin_ sets the settlement contract once.
    constructor(PorchlightToken token_, IERC20 stablecoin_, IPriceFeed priceFeed_, address treasury_, address admin_) {
        if (address(token_) == address(0) || address(stablecoin_) == address(0) || address(priceFeed_) == address(0) || treasury_ == address(0) || admin_ == address(0)) {
            revert ZeroAddress();
        }
        uint8 stableDecimals = IERC20Metadata(address(stablecoin_)).decimals();
        if (stableDecimals != Parameters.STABLECOIN_DECIMALS) revert WrongStablecoinDecimals(stableDecimals);
        token = token_;
        stablecoin = stablecoin_;
        priceFeed = priceFeed_;
        treasury = treasury_;
        admin = admin_;
    }

    /// @notice Sets the only account that may spend credits (Settlement). Admin only, once.
    function setSettlement(address settlement_) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        if (settlement != address(0)) revert SettlementAlreadySet(settlement);
        if (settlement_ == address(0)) revert ZeroAddress();
        settlement = settlement_;
        emit SettlementSet(settlement_);
    }

    // ---- Buying -----------------------------------------------------------------------------

    /// @notice Token wei that `microCredits` cost at the feed's price now (rounded up).
    /// @dev Reverts StalePrice / InvalidPrice as a purchase would.
    function quoteTokenWei(uint256 microCredits) external view returns (uint256) {
        return priceFeed.tokenWeiForMicroUsd(microCredits);
    }

    /// @notice Buys `microCredits` for `beneficiary` by burning the caller's token at the feed's price.
    ///         Needs an allowance for this contract (or use buyWithTokenPermit).
    /// @param maxTokenWei the most token the caller will burn; reverts SlippageExceeded above it.
    function buyWithToken(address beneficiary, uint256 microCredits, uint256 maxTokenWei) public returns (uint256 tokenWei) {
        tokenWei = _quote(beneficiary, microCredits);
        if (tokenWei > maxTokenWei) revert SlippageExceeded(tokenWei, maxTokenWei);
        _credit(beneficiary, microCredits);
        emit CreditsBought(msg.sender, beneficiary, microCredits, tokenWei, 0);
        token.burnFrom(msg.sender, tokenWei);
    }

    /// @notice buyWithToken in one transaction: the caller's EIP-2612 permit of `maxTokenWei` for
    ///         this contract, then the purchase. A permit already used (front-run) is ignored; the
    ///         allowance then decides.
    function buyWithTokenPermit(address beneficiary, uint256 microCredits, uint256 maxTokenWei, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256)
    {
        try token.permit(msg.sender, address(this), maxTokenWei, deadline, v, r, s) {} catch {}
        return buyWithToken(beneficiary, microCredits, maxTokenWei);
    }

    /// @notice Buys `microCredits` for `beneficiary` with as many micro-dollars of stablecoin (to the
    ///         treasury); the same USD value of token burns from the reserve. Reverts ReserveTooLow
    ///         when the reserve cannot cover it. Needs a stablecoin allowance (or buyWithStablePermit).
    function buyWithStable(address beneficiary, uint256 microCredits) public returns (uint256 tokenWei) {
        tokenWei = _quote(beneficiary, microCredits);
        uint256 reserve = token.balanceOf(address(this));
        if (reserve < tokenWei) revert ReserveTooLow(reserve, tokenWei);
        _credit(beneficiary, microCredits);
        emit CreditsBought(msg.sender, beneficiary, microCredits, tokenWei, microCredits);
        stablecoin.safeTransferFrom(msg.sender, treasury, microCredits);
        token.burn(tokenWei);
    }

    /// @notice buyWithStable in one transaction, with the caller's EIP-2612 permit of `microCredits`
    ///         stablecoin for this contract. A permit already used is ignored; the allowance decides.
    function buyWithStablePermit(address beneficiary, uint256 microCredits, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256)
    {
        try IERC20Permit(address(stablecoin)).permit(msg.sender, address(this), microCredits, deadline, v, r, s) {} catch {}
        return buyWithStable(beneficiary, microCredits);
    }

    // ---- Withdrawing ------------------------------------------------------------------------

    /// @notice Asks to withdraw up to `microCredits`, payable Parameters.THAW_SECONDS from now;
    ///         replaces a pending request (its clock restarts). Settlement may spend meanwhile.
    function requestWithdrawal(uint256 microCredits) external {
        if (microCredits == 0) revert ZeroAmount();
        uint256 balance = balanceOf[msg.sender];
        if (microCredits > balance) revert InsufficientCredits(balance, microCredits);
        uint256 unlockAt = block.timestamp + Parameters.THAW_SECONDS;
        // balance <= totalSupply, and a supply above 2^192 micro-credits is beyond any stablecoin's.
        withdrawals[msg.sender] = Withdrawal(uint192(microCredits), uint64(unlockAt));
        emit WithdrawalRequested(msg.sender, microCredits, unlockAt);
    }

    /// @notice Cancels the caller's pending withdrawal.
    function cancelWithdrawal() external {
        if (withdrawals[msg.sender].unlockAt == 0) revert NoWithdrawalPending();
        delete withdrawals[msg.sender];
        emit WithdrawalCancelled(msg.sender);
    }

    /// @notice Once thawed, pays the caller min(requested, balance) in stablecoin from the treasury
    ///         and burns as many credits.
    /// @return paid micro-dollars paid.
    function withdraw() external returns (uint256 paid) {
        Withdrawal memory pending = withdrawals[msg.sender];
        if (pending.unlockAt == 0) revert NoWithdrawalPending();
        if (block.timestamp < pending.unlockAt) revert StillThawing(pending.unlockAt);
        uint256 balance = balanceOf[msg.sender];
        paid = pending.amount < balance ? pending.amount : balance;
        delete withdrawals[msg.sender];
        balanceOf[msg.sender] = balance - paid;
        totalSupply -= paid;
        emit Withdrawn(msg.sender, paid);
        if (paid > 0) stablecoin.safeTransferFrom(treasury, msg.sender, paid);
    }

    /// @notice What a donor checks before serving `client`: its credits, and the time before which
    ///         none of them can leave except through settlement (now + thaw when no withdrawal is
    ///         pending, the pending one's unlock time otherwise).
    function clientStatus(address client) external view returns (uint256 balance, uint256 lockedUntil) {
        uint64 unlockAt = withdrawals[client].unlockAt;
        return (balanceOf[client], unlockAt == 0 ? block.timestamp + Parameters.THAW_SECONDS : unlockAt);
    }

    // ---- Spending (Settlement only) ---------------------------------------------------------

    /// @notice Burns `amounts[i]` from `clients[i]` for each i whose client holds enough, in order;
    ///         a zero amount or a short balance is skipped. Settlement only.
    /// @return ok ok[i] is whether entry i was burned.
    function spend(address[] calldata clients, uint256[] calldata amounts) external returns (bool[] memory ok) {
        if (msg.sender != settlement || settlement == address(0)) revert NotSettlement(msg.sender);
        uint256 count = clients.length;
        if (amounts.length != count) revert LengthMismatch();
        ok = new bool[](count);
        uint256 total;
        uint256 paidClients;
        for (uint256 i; i < count;) {
            uint256 amount = amounts[i];
            if (amount != 0) {
                address client = clients[i];
                uint256 balance = balanceOf[client];
                if (balance >= amount) {
                    unchecked {
                        balanceOf[client] = balance - amount;
                        total += amount; // <= the sum of balances, itself <= totalSupply
                        ++paidClients;
                    }
                    ok[i] = true;
                }
            }
            unchecked {
                ++i;
            }
        }
        if (total != 0) {
            unchecked {
                totalSupply -= total;
            }
            emit CreditsSpent(total, paidClients);
        }
    }

    // ---- Internals --------------------------------------------------------------------------

    function _quote(address beneficiary, uint256 microCredits) private view returns (uint256) {
        if (beneficiary == address(0)) revert ZeroAddress();
        if (microCredits == 0) revert ZeroAmount();
        return priceFeed.tokenWeiForMicroUsd(microCredits);
    }

    function _credit(address beneficiary, uint256 microCredits) private {
        balanceOf[beneficiary] += microCredits;
        totalSupply += microCredits;
    }
}
