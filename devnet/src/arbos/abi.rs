//! The Solidity interfaces of Arbitrum's Stylus surface as this chain answers them: the
//! precompiles' (nitro-contracts `src/precompiles/ArbWasm.sol`, `ArbWasmCache.sol`,
//! `ArbOwnerPublic.sol`), the `CacheManager`'s and the `StylusDeployer`'s (`src/stylus/`).
//! Only the functions answered here are declared; selectors are checked against the reference in
//! the tests.

alloy_sol_types::sol! {
    /// `ArbWasm` (0x…71): activation and program information.
    #[sol(all_derives)]
    interface ArbWasm {
        function stylusVersion() external view returns (uint16 version);
        function codehashVersion(bytes32 codehash) external view returns (uint16 version);
        function programVersion(address program) external view returns (uint16 version);
        function codehashAsmSize(bytes32 codehash) external view returns (uint32 size);
        function programInitGas(address program) external view returns (uint64 gas, uint64 gasWhenCached);
        function programMemoryFootprint(address program) external view returns (uint16 footprint);
        function inkPrice() external view returns (uint32 price);
        function freePages() external view returns (uint16 pages);
        function pageGas() external view returns (uint16 gas);
        function pageLimit() external view returns (uint16 limit);
        function activationGas() external view returns (uint64 gas);
        function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);

        event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);

        error ProgramNotWasm();
        error ProgramNotActivated();
        error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
        error ProgramExpired(uint64 ageInSeconds);
        error ProgramUpToDate();
        error ProgramInsufficientValue(uint256 have, uint256 want);
    }

    /// `ArbWasmCache` (0x…72): who manages the cache, and what is cached.
    #[sol(all_derives)]
    interface ArbWasmCache {
        function isCacheManager(address manager) external view returns (bool);
        function allCacheManagers() external view returns (address[] memory managers);
        function codehashIsCached(bytes32 codehash) external view returns (bool);
    }

    /// `ArbOwnerPublic` (0x…6b): the chain's public configuration.
    #[sol(all_derives)]
    interface ArbOwnerPublic {
        function getMaxStylusContractFragments() external view returns (uint8);
        function getNetworkFeeAccount() external view returns (address);
        function isChainOwner(address addr) external view returns (bool);
        function getAllChainOwners() external view returns (address[] memory);
    }

    /// The `CacheManager`: an auction for the cache that prices a program's entry as cached.
    #[sol(all_derives)]
    interface CacheManager {
        function isPaused() external view returns (bool);
        function queueSize() external view returns (uint64);
        function cacheSize() external view returns (uint64);
        function decay() external view returns (uint64);
        function getMinBid(uint64 size) external view returns (uint192 min);
        function getMinBid(address program) external view returns (uint192 min);
        function placeBid(address program) external payable;

        event InsertBid(bytes32 indexed codehash, address program, uint192 bid, uint64 size);
        event DeleteBid(bytes32 indexed codehash, uint192 bid, uint64 size);

        error AsmTooLarge(uint256 asm, uint256 queueSize, uint256 cacheSize);
        error AlreadyCached(bytes32 codehash);
        error BidTooSmall(uint192 bid, uint192 min);
        error BidsArePaused();
    }

    /// The `StylusDeployer`: create, activate if needed, and construct in one transaction.
    #[sol(all_derives)]
    interface StylusDeployer {
        function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt) external payable returns (address);

        event ContractDeployed(address deployedContract);

        error ContractDeploymentError(bytes bytecode);
        error ContractInitializationError(address newContract, bytes data);
        error RefundExcessValueError(uint256 excessValue);
        error EmptyBytecode();
        error InitValueButNotInitData();
    }
}
