// SPDX-License-Identifier: MIT OR Apache-2.0
// The Solidity adjudicator behaves like the Stylus one on the scenarios of test/tests/channels.rs:
// opening (by the payer, with a permit, by a spending key through the avatar), settling, the
// refusals with the same typed errors, closing for exactly the voucher, relayed close, the grace
// period and withdrawal, and a batch that skips a bad item.
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {ParatiiToken} from "../src/ParatiiToken.sol";
import {ParatiiAvatar} from "../src/ParatiiAvatar.sol";
import {PaymentChannels, IAvatar} from "../src/PaymentChannels.sol";
import "paratii/Channels.sol";
import {AvatarSpendingCapExceeded} from "paratii/Avatar.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Permits} from "./Permits.sol";

contract PaymentChannelsTest is Test {
    ParatiiToken token;
    ParatiiAvatar avatar;
    PaymentChannels channels;
    uint256 payerKey = 0xA11CE;
    uint256 payeeKey = 0xB0B;
    address payer;
    address payee;
    uint256 constant PRICE = 1_000;

    function setUp() public {
        payer = vm.addr(payerKey);
        payee = vm.addr(payeeKey);
        token = new ParatiiToken(address(this));
        avatar = new ParatiiAvatar(address(this), IERC20(address(token)), 1 days, new address[](0));
        channels = new PaymentChannels(IAvatar(address(avatar)), IERC20(address(token)), 1 days);
        avatar.addToWhitelist(address(channels));
        vm.warp(block.timestamp + 1 days);
        token.transfer(payer, 1_000_000);
        vm.prank(payer);
        token.approve(address(channels), type(uint256).max);
    }

    function params(bytes32 salt) internal view returns (Channel memory) {
        return Channel(payer, payee, address(0), keccak256("video"), PRICE, salt);
    }

    function open(bytes32 salt, uint256 deposit) internal returns (Channel memory c, bytes32 id) {
        c = params(salt);
        vm.prank(payer);
        id = channels.open(c, deposit);
    }

    function sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function voucher(bytes32 id, uint64 segments) internal view returns (bytes memory) {
        return sign(payerKey, channels.voucherDigest(id, segments));
    }

    function test_open_escrowsTheDeposit() public {
        (, bytes32 id) = open("a", 10 * PRICE);
        (uint256 deposit, uint64 settled,, bool finalized, uint8 phase) = channels.channelState(id);
        assertEq(deposit, 10 * PRICE);
        assertEq(settled, 0);
        assertFalse(finalized);
        assertEq(phase, 1);
        assertEq(token.balanceOf(address(channels)), 10 * PRICE);
    }

    function test_open_refusesTheSameIdTwiceAndASmallDeposit() public {
        (Channel memory c, bytes32 id) = open("a", 10 * PRICE);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(ChannelAlreadyExists.selector, id));
        channels.open(c, 10 * PRICE);
        Channel memory small = params("b");
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(ChannelDepositTooSmall.selector, PRICE - 1, PRICE));
        channels.open(small, PRICE - 1);
    }

    function test_settle_paysTheIncrementAndRefusesStaleAndOverdrawnVouchers() public {
        (Channel memory c, bytes32 id) = open("a", 10 * PRICE);
        channels.settle(c, 3, voucher(id, 3));
        assertEq(token.balanceOf(payee), 3 * PRICE);
        channels.settle(c, 5, voucher(id, 5));
        assertEq(token.balanceOf(payee), 5 * PRICE);
        bytes memory stale = voucher(id, 4);
        vm.expectRevert(abi.encodeWithSelector(ChannelStaleVoucher.selector, id, uint64(4), uint64(5)));
        channels.settle(c, 4, stale);
        bytes memory over = voucher(id, 11);
        vm.expectRevert(
            abi.encodeWithSelector(ChannelVoucherExceedsDeposit.selector, id, uint64(11), 11 * PRICE, 10 * PRICE)
        );
        channels.settle(c, 11, over);
        bytes memory forged = sign(payeeKey, channels.voucherDigest(id, 6));
        vm.expectRevert(abi.encodeWithSelector(ChannelInvalidSigner.selector, id, payee, payer));
        channels.settle(c, 6, forged);
    }

    function test_close_paysExactlyTheVoucherAndRefundsTheRest() public {
        (Channel memory c, bytes32 id) = open("a", 20 * PRICE);
        uint256 before = token.balanceOf(payer);
        bytes memory seven = voucher(id, 7);
        vm.prank(payee);
        channels.close(c, 7, seven);
        assertEq(token.balanceOf(payee), 7 * PRICE);
        assertEq(token.balanceOf(payer), before + 13 * PRICE);
        (,,, bool finalized, uint8 phase) = channels.channelState(id);
        assertTrue(finalized);
        assertEq(phase, 4);
        vm.prank(payee);
        vm.expectRevert(abi.encodeWithSelector(ChannelFinalized.selector, id));
        channels.close(c, 7, "");
    }

    function test_closeWithAuthorization_letsAnyoneCloseForThePayee() public {
        (Channel memory c, bytes32 id) = open("a", 20 * PRICE);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                channels.DOMAIN_SEPARATOR(),
                keccak256(
                    abi.encode(
                        keccak256("CloseAuthorization(bytes32 channelId,uint64 segments,uint64 deadline)"),
                        id,
                        uint64(4),
                        deadline
                    )
                )
            )
        );
        channels.closeWithAuthorization(c, 4, deadline, voucher(id, 4), sign(payeeKey, digest));
        assertEq(token.balanceOf(payee), 4 * PRICE);
        vm.warp(deadline + 1);
        (Channel memory d, bytes32 other) = open("b", 20 * PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(ChannelCloseAuthorizationExpired.selector, other, deadline, uint64(deadline + 1))
        );
        channels.closeWithAuthorization(d, 4, deadline, "", "");
    }

    function test_withdraw_waitsForTheGracePeriodThenRefunds() public {
        (Channel memory c, bytes32 id) = open("a", 20 * PRICE);
        channels.settle(c, 2, voucher(id, 2));
        vm.prank(payer);
        channels.requestClose(c);
        uint64 until = uint64(block.timestamp + 1 days);
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(ChannelGracePeriodActive.selector, id, until, uint64(block.timestamp))
        );
        channels.withdraw(c);
        vm.warp(until);
        uint256 before = token.balanceOf(payer);
        vm.prank(payer);
        channels.withdraw(c);
        assertEq(token.balanceOf(payer), before + 18 * PRICE);
    }

    function test_settleBatch_settlesTheGoodItemsAndSkipsTheBadOne() public {
        SettleItem[] memory items = new SettleItem[](4);
        for (uint256 i; i < 3; ++i) {
            (Channel memory c, bytes32 id) = open(bytes32(i + 1), 10 * PRICE);
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, channels.voucherDigest(id, uint64(i + 2)));
            items[i] = SettleItem(c, uint64(i + 2), v, r, s);
        }
        items[3] = items[0]; // the same voucher again: stale once the first settles
        bytes32 staleId = channels.channelId(items[0].channel);
        vm.expectEmit(address(channels));
        emit ChannelSettleSkipped(
            staleId, 3, abi.encodeWithSelector(ChannelStaleVoucher.selector, staleId, uint64(2), uint64(2))
        );
        assertEq(channels.settleBatch(items), 3);
        assertEq(token.balanceOf(payee), (2 + 3 + 4) * PRICE);
    }

    function test_openFor_chargesTheSpendingKeyThroughTheAvatar() public {
        address device = vm.addr(0xD3);
        vm.startPrank(payer);
        token.approve(address(avatar), type(uint256).max);
        avatar.authorizeSpendingKey(device, 15 * PRICE, uint64(block.timestamp + 1 days));
        vm.stopPrank();
        Channel memory c = Channel(payer, payee, device, keccak256("video"), PRICE, "k");
        vm.prank(device);
        bytes32 id = channels.openFor(c, 10 * PRICE);
        (uint256 deposit,,,,) = channels.channelState(id);
        assertEq(deposit, 10 * PRICE);
        Channel memory again = Channel(payer, payee, device, keccak256("video"), PRICE, "l");
        vm.prank(device);
        vm.expectRevert(
            abi.encodeWithSelector(AvatarSpendingCapExceeded.selector, payer, device, 10 * PRICE, 5 * PRICE)
        );
        channels.openFor(again, 10 * PRICE);
    }

    function test_openWithPermit_opensAFirstChannelInOneTransaction() public {
        uint256 key = 0xCAFE;
        address fresh = vm.addr(key);
        token.transfer(fresh, 10 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = Permits.sign(token, key, address(channels), 10 * PRICE, deadline);
        Channel memory c = Channel(fresh, payee, address(0), keccak256("video"), PRICE, "p");
        vm.prank(fresh);
        channels.openWithPermit(c, 10 * PRICE, deadline, v, r, s);
        assertEq(token.balanceOf(address(channels)), 10 * PRICE);
    }
}
