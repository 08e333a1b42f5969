// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

// =====================================================================================================
// RECONSTRUCTION FOR GAS COMPARISON ONLY - NOT DEPLOYABLE PRODUCT CODE.
//
// A re-write, from the functional description in shared/reference/paratii-original.md (sections 2.1,
// 2.2, 2.3, 2.5, 2.6, 2.7), of the ORIGINAL Paratii Gen-1 (late 2017, solc 0.4.x, zeppelin 1.3.0)
// "buy a video" path: the buyer sends `ParatiiToken.approve(avatar, price)`, then
// `VideoStore.buyVideo(videoId)`. It exists so that the two-transaction Solidity flow can be measured
// against our Stylus one-transaction purchase (see measure.sh / README.md).
//
// Faithfulness rules followed here:
//   * every contract, lookup and storage write on the purchase path is kept, including the original's
//     inefficiencies: string ids hashed on every call, registry lookups by string name, the avatar's
//     whitelist linear scan and call-time token lookup, getVideoInfo returning the ipfsHash string,
//     the per-user `bytes32[] videoIndex` push and the `videoSales` buyer array;
//   * the original's known gaps are kept too (no access control on acquireVideo, repeat purchases
//     allowed, transferFrom results ignored by the store);
//   * public functions take `string memory` (0.4.x public functions always copied to memory);
//   * checked 0.8 arithmetic replaces SafeMath; zeppelin's `require`s are kept as `require`s;
//   * anything not needed to reproduce the purchase (likes, stats updates, user metadata setters,
//     Debug events, SendEther, ...) is left out.
// =====================================================================================================

/// zeppelin-style Ownable (owner(), transferOwnership, OwnershipTransferred).
abstract contract Ownable {
    address public owner;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        require(msg.sender == owner);
        _;
    }

    function transferOwnership(address newOwner) public onlyOwner {
        require(newOwner != address(0));
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}

/// §2.1: a plain zeppelin (1.3.0) StandardToken that mints the whole supply to the deployer.
contract ParatiiToken {
    // ERC20Basic / BasicToken / StandardToken state
    uint256 public totalSupply;
    mapping(address => uint256) internal balances;
    mapping(address => mapping(address => uint256)) internal allowed;

    // ParatiiToken state
    string public name = "Paratii";
    string public symbol = "PTI";
    uint256 public decimals = 18; // `uint`, not `uint8`, as in the original
    uint256 public INITIAL_SUPPLY = 21000000 * (10 ** 18);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor() {
        totalSupply = INITIAL_SUPPLY;
        balances[msg.sender] = INITIAL_SUPPLY;
    }

    function balanceOf(address _owner) public view returns (uint256) {
        return balances[_owner];
    }

    function transfer(address _to, uint256 _value) public returns (bool) {
        require(_to != address(0));
        require(_value <= balances[msg.sender]);
        balances[msg.sender] = balances[msg.sender] - _value;
        balances[_to] = balances[_to] + _value;
        emit Transfer(msg.sender, _to, _value);
        return true;
    }

    // Allowance is decremented unconditionally (no "infinite approval" special case).
    function transferFrom(address _from, address _to, uint256 _value) public returns (bool) {
        require(_to != address(0));
        require(_value <= balances[_from]);
        require(_value <= allowed[_from][msg.sender]);
        balances[_from] = balances[_from] - _value;
        balances[_to] = balances[_to] + _value;
        allowed[_from][msg.sender] = allowed[_from][msg.sender] - _value;
        emit Transfer(_from, _to, _value);
        return true;
    }

    function approve(address _spender, uint256 _value) public returns (bool) {
        allowed[msg.sender][_spender] = _value;
        emit Approval(msg.sender, _spender, _value);
        return true;
    }

    function allowance(address _owner, address _spender) public view returns (uint256) {
        return allowed[_owner][_spender];
    }

    function increaseApproval(address _spender, uint256 _addedValue) public returns (bool) {
        allowed[msg.sender][_spender] = allowed[msg.sender][_spender] + _addedValue;
        emit Approval(msg.sender, _spender, allowed[msg.sender][_spender]);
        return true;
    }

    function decreaseApproval(address _spender, uint256 _subtractedValue) public returns (bool) {
        uint256 oldValue = allowed[msg.sender][_spender];
        if (_subtractedValue > oldValue) {
            allowed[msg.sender][_spender] = 0;
        } else {
            allowed[msg.sender][_spender] = oldValue - _subtractedValue;
        }
        emit Approval(msg.sender, _spender, allowed[msg.sender][_spender]);
        return true;
    }
}

/// §2.2: name -> value store, every key is keccak256(name).
contract ParatiiRegistry is Ownable {
    mapping(bytes32 => address) public contracts;
    mapping(bytes32 => uint256) public numbers;
    mapping(bytes32 => string) public strings;

    event LogRegisterAddress(string _name, address _address);
    event LogUnregisterAddress(string _name);
    event LogRegisterUint(string _name, uint256 _number);
    event LogUnregisterUint(string _name);
    event LogRegisterString(string _name, string _string);
    event LogUnregisterString(string _name);

    function registerAddress(string memory _name, address _address) public onlyOwner {
        contracts[keccak256(bytes(_name))] = _address;
        emit LogRegisterAddress(_name, _address);
    }

    function unregisterAddress(string memory _name) public onlyOwner {
        delete contracts[keccak256(bytes(_name))];
        emit LogUnregisterAddress(_name);
    }

    function registerUint(string memory _name, uint256 _number) public onlyOwner {
        numbers[keccak256(bytes(_name))] = _number;
        emit LogRegisterUint(_name, _number);
    }

    function unregisterUint(string memory _name) public onlyOwner {
        delete numbers[keccak256(bytes(_name))];
        emit LogUnregisterUint(_name);
    }

    function registerString(string memory _name, string memory _string) public onlyOwner {
        strings[keccak256(bytes(_name))] = _string;
        emit LogRegisterString(_name, _string);
    }

    function unregisterString(string memory _name) public onlyOwner {
        delete strings[keccak256(bytes(_name))];
        emit LogUnregisterString(_name);
    }

    function getContract(string memory _name) public view returns (address) {
        return contracts[keccak256(bytes(_name))];
    }

    function getUint(string memory _name) public view returns (uint256) {
        return numbers[keccak256(bytes(_name))];
    }

    function getString(string memory _name) public view returns (string memory) {
        return strings[keccak256(bytes(_name))];
    }
}

/// §2.3: holds the redistribution pool (its own PTI balance) and moves approved PTI for whitelisted callers.
contract ParatiiAvatar is Ownable {
    ParatiiRegistry public paratiiRegistry;
    address[] public whitelist;

    modifier onlyWhitelist() {
        require(isOnWhiteList(msg.sender));
        _;
    }

    constructor(ParatiiRegistry _paratiiRegistry) {
        paratiiRegistry = _paratiiRegistry;
    }

    /// Returns if already listed; otherwise reuses a zeroed slot, or appends.
    function addToWhitelist(address _address) public onlyOwner {
        uint256 free = whitelist.length;
        for (uint256 i = 0; i < whitelist.length; i++) {
            address entry = whitelist[i];
            if (entry == _address) return;
            if (entry == address(0)) free = i;
        }
        if (free == whitelist.length) {
            whitelist.push(_address);
        } else {
            whitelist[free] = _address;
        }
    }

    /// Zeroes matching entries in place (the array never shrinks).
    function removeFromWhitelist(address _address) public onlyOwner {
        for (uint256 i = 0; i < whitelist.length; i++) {
            if (whitelist[i] == _address) delete whitelist[i];
        }
    }

    /// Linear scan over the whole storage array.
    function isOnWhiteList(address _address) public view returns (bool) {
        for (uint256 i = 0; i < whitelist.length; i++) {
            if (whitelist[i] == _address) return true;
        }
        return false;
    }

    /// Looks the token up in the registry at call time, then calls token.transferFrom.
    function transferFrom(address _from, address _to, uint256 _value) public onlyWhitelist returns (bool) {
        ParatiiToken token = ParatiiToken(paratiiRegistry.getContract("ParatiiToken"));
        return token.transferFrom(_from, _to, _value);
    }
}

/// §2.6 Gen-1: video records keyed by keccak256(string id).
contract VideoRegistry is Ownable {
    struct Stats {
        uint256 views;
        uint256 likes;
        uint256 dislikes;
    }

    struct VideoInfo {
        bytes32 _id;
        string ipfsHash;
        uint256 price; // PTI-wei
        address owner;
        address registrar;
        Stats stats;
    }

    mapping(bytes32 => VideoInfo) private videos;
    ParatiiRegistry public paratiiRegistry;

    event LogRegisterVideo(string videoId, address owner, uint256 price, string ipfsHash, address registrar);
    event LogUnregisterVideo(string videoId);

    /// Despite the name: contract owner, anyone for an unregistered id, or the registrar.
    modifier onlyRegistrarOrParatiiAvatar(string memory _videoId) {
        address registrar = videos[keccak256(bytes(_videoId))].registrar;
        require(msg.sender == owner || registrar == address(0) || registrar == msg.sender);
        _;
    }

    constructor(ParatiiRegistry _paratiiRegistry) {
        paratiiRegistry = _paratiiRegistry;
    }

    /// Creates or overwrites the record (registrar = msg.sender, stats reset to zero).
    function registerVideo(string memory _videoId, address _owner, uint256 _price, string memory _ipfsHash)
        public
        onlyRegistrarOrParatiiAvatar(_videoId)
    {
        bytes32 key = keccak256(bytes(_videoId));
        videos[key] = VideoInfo({
            _id: key,
            ipfsHash: _ipfsHash,
            price: _price,
            owner: _owner,
            registrar: msg.sender,
            stats: Stats({views: 0, likes: 0, dislikes: 0})
        });
        emit LogRegisterVideo(_videoId, _owner, _price, _ipfsHash, msg.sender);
    }

    function unregisterVideo(string memory _videoId) public onlyRegistrarOrParatiiAvatar(_videoId) {
        delete videos[keccak256(bytes(_videoId))];
        emit LogUnregisterVideo(_videoId);
    }

    /// (owner, price, ipfsHash, registrar)
    function getVideoInfo(string memory _videoId) public view returns (address, uint256, string memory, address) {
        VideoInfo storage v = videos[keccak256(bytes(_videoId))];
        return (v.owner, v.price, v.ipfsHash, v.registrar);
    }
}

/// §2.5 Gen-1: only the parts the purchase touches (acquireVideo and its storage) plus a read-back view.
contract UserRegistry is Ownable {
    struct VideoInfo {
        bool isAcquired;
        bool liked;
        bool disliked;
        uint256 _index;
    }

    struct UserInfo {
        address _address;
        string name;
        string email;
        bytes32[] videoIndex;
        mapping(bytes32 => VideoInfo) videos;
    }

    mapping(address => UserInfo) public users;
    ParatiiRegistry paratiiRegistry;
    VideoRegistry videoRegistry; // cached at construction: "VideoRegistry" must be registered first

    constructor(ParatiiRegistry _paratiiRegistry) {
        paratiiRegistry = _paratiiRegistry;
        videoRegistry = VideoRegistry(_paratiiRegistry.getContract("VideoRegistry"));
    }

    /// No access control, and every call appends to videoIndex (repeats create duplicates), as in the original.
    /// `_index` is the new length of videoIndex (the 0.4.x `push` return value), so it is never zero.
    function acquireVideo(string memory _videoId, address _userAddress) public {
        bytes32 key = keccak256(bytes(_videoId));
        UserInfo storage user = users[_userAddress];
        VideoInfo storage video = user.videos[key];
        user.videoIndex.push(key);
        video._index = user.videoIndex.length;
        video.isAcquired = true;
    }

    function userAcquiredVideo(address _userAddress, string memory _videoId) public view returns (bool) {
        return users[_userAddress].videos[keccak256(bytes(_videoId))].isAcquired;
    }
}

/// §2.7 Gen-1: the store; peers are resolved once, in the constructor.
contract VideoStore is Ownable {
    ParatiiRegistry public paratiiRegistry;
    UserRegistry public userRegistry;
    VideoRegistry public videoRegistry;
    ParatiiAvatar public paratiiAvatar;

    mapping(bytes32 => address[]) public videoSales;

    event LogBuyVideo(string videoId, address buyer, uint256 price);

    constructor(ParatiiRegistry _paratiiRegistry) {
        paratiiRegistry = _paratiiRegistry;
        userRegistry = UserRegistry(_paratiiRegistry.getContract("UserRegistry"));
        videoRegistry = VideoRegistry(_paratiiRegistry.getContract("VideoRegistry"));
        paratiiAvatar = ParatiiAvatar(_paratiiRegistry.getContract("ParatiiAvatar"));
    }

    fallback() external {
        revert();
    }

    /// The buyer must have approved the avatar for `price` beforehand (a separate transaction).
    /// No existence check, repeat purchases are charged again, transferFrom results are ignored.
    function buyVideo(string memory videoId) public returns (bool) {
        (address videoOwner, uint256 price,,) = videoRegistry.getVideoInfo(videoId);
        address buyer = msg.sender;
        uint256 paratiiPart = price * paratiiRegistry.getUint("VideoRedistributionPoolShare") / 1e18;
        paratiiAvatar.transferFrom(buyer, address(paratiiAvatar), paratiiPart);
        paratiiAvatar.transferFrom(buyer, videoOwner, price - paratiiPart);
        userRegistry.acquireVideo(videoId, buyer);
        videoSales[keccak256(bytes(videoId))].push(buyer);
        emit LogBuyVideo(videoId, buyer, price);
        return true;
    }
}
