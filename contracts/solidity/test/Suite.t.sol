// SPDX-License-Identifier: MIT OR Apache-2.0
// The Solidity suite deployed and wired as scripts/deploy wires the Stylus one, behaving like it
// on the scenarios of test/tests/purchase.rs and video_registry.rs: a purchase splits the price
// between the owner and the pool and records the acquisition and a view; the refusals carry the
// same typed errors; a first purchase with a permit; a like signed by a posting key and relayed.
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Permits} from "./Permits.sol";
import {ParatiiToken} from "../src/ParatiiToken.sol";
import {ParatiiAvatar} from "../src/ParatiiAvatar.sol";
import {ParatiiRegistry} from "../src/ParatiiRegistry.sol";
import {VideoRegistry, IRegistry} from "../src/VideoRegistry.sol";
import {UserRegistry} from "../src/UserRegistry.sol";
import {VideoStore} from "../src/VideoStore.sol";
import {PaymentChannels, IAvatar} from "../src/PaymentChannels.sol";
import "paratii/VideoStore.sol";
import "paratii/VideoRegistry.sol";

contract SuiteTest is Test {
    ParatiiToken token;
    ParatiiAvatar avatar;
    ParatiiRegistry registry;
    VideoRegistry videos;
    UserRegistry users;
    VideoStore store;
    address owner = vm.addr(0x0111);
    uint256 buyerKey = 0xB1;
    address buyer;
    bytes32 video;
    uint256 constant PRICE = 10 ether;

    function setUp() public {
        buyer = vm.addr(buyerKey);
        registry = new ParatiiRegistry(address(this), 1 days);
        token = new ParatiiToken(address(this));
        videos = new VideoRegistry(address(this), IRegistry(address(registry)));
        users = new UserRegistry(address(this), IRegistry(address(registry)));
        store = new VideoStore(IRegistry(address(registry)));
        address[] memory initial = new address[](1);
        initial[0] = address(store);
        avatar = new ParatiiAvatar(address(this), IERC20(address(token)), 1 days, initial);
        PaymentChannels channels = new PaymentChannels(IAvatar(address(avatar)), IERC20(address(token)), 1 days);
        registry.registerAddress("ParatiiToken", address(token));
        registry.registerAddress("ParatiiAvatar", address(avatar));
        registry.registerAddress("VideoRegistry", address(videos));
        registry.registerAddress("UserRegistry", address(users));
        registry.registerAddress("VideoStore", address(store));
        registry.registerAddress("PaymentChannels", address(channels));
        registry.registerUint("VideoRedistributionPoolShare", 0.3 ether);
        avatar.addToWhitelist(address(channels));
        vm.warp(block.timestamp + 1 days);
        registry.applyUintChange("VideoRedistributionPoolShare");
        vm.prank(owner);
        video = videos.registerVideo("clip", owner, PRICE, keccak256("original"), 0, 0);
        token.transfer(buyer, 100 ether);
    }

    function test_buyVideo_splitsThePriceAndRecordsTheSale() public {
        vm.startPrank(buyer);
        token.approve(address(avatar), PRICE);
        store.buyVideo(video, keccak256("proof"), PRICE);
        vm.stopPrank();
        assertEq(token.balanceOf(owner), 7 ether);
        assertEq(token.balanceOf(address(avatar)), 3 ether);
        assertTrue(users.userAcquiredVideo(buyer, video));
        (uint64 views,,) = videos.getStats(video);
        assertEq(views, 1);
        (bool bought, uint256 price, bytes32 proof,) = store.getSale(buyer, video);
        assertTrue(bought);
        assertEq(price, PRICE);
        assertEq(proof, keccak256("proof"));
    }

    function test_buyVideo_refusesASecondPurchaseAPriceAboveTheMaxAndAnUnknownVideo() public {
        vm.startPrank(buyer);
        token.approve(address(avatar), 2 * PRICE);
        vm.expectRevert(abi.encodeWithSelector(VideoStorePriceAboveMax.selector, video, PRICE, PRICE - 1));
        store.buyVideo(video, 0, PRICE - 1);
        store.buyVideo(video, 0, PRICE);
        vm.expectRevert(abi.encodeWithSelector(VideoStoreAlreadyBought.selector, buyer, video));
        store.buyVideo(video, 0, PRICE);
        vm.expectRevert(abi.encodeWithSelector(VideoRegistryUnknownVideo.selector, bytes32("none")));
        store.buyVideo(bytes32("none"), 0, PRICE);
        vm.stopPrank();
    }

    function test_buyVideoWithPermit_buysWithoutAnApproval() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = Permits.sign(token, buyerKey, address(avatar), PRICE, deadline);
        vm.prank(buyer);
        store.buyVideoWithPermit(video, 0, PRICE, PRICE, deadline, v, r, s);
        assertEq(token.balanceOf(owner), 7 ether);
    }

    function test_likeVideoBySig_countsAPostingKeysVoteRelayedByAnyone() public {
        uint256 postingKey = 0x9057;
        address posting = vm.addr(postingKey);
        vm.prank(buyer);
        users.authorizePostingKey(buyer, posting, uint64(block.timestamp + 1 days));
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Vote(address user,bytes32 videoId,bool liked,uint256 nonce,uint256 deadline)"),
                buyer,
                video,
                true,
                0,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(postingKey, keccak256(abi.encodePacked("\x19\x01", users.DOMAIN_SEPARATOR(), structHash)));
        users.likeVideoBySig(buyer, video, true, deadline, abi.encodePacked(r, s, v));
        assertTrue(users.userLikesVideo(buyer, video));
        (, uint64 likes,) = videos.getStats(video);
        assertEq(likes, 1);
        // The same signature again recovers another address (the nonce moved): refused.
        vm.expectRevert();
        users.likeVideoBySig(buyer, video, true, deadline, abi.encodePacked(r, s, v));
    }

    function test_registerVideo_refusesATakenIdAndAStranger() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(VideoRegistryAlreadyRegistered.selector, video, owner));
        videos.registerVideo("clip", owner, PRICE, keccak256("original"), 0, 0);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(VideoRegistryNotApprovedRegistrar.selector, buyer, owner));
        videos.registerVideo("other", owner, PRICE, keccak256("original"), 0, 0);
    }
}
