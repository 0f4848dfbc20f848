/**
 * The deployment for non-local networks: every admin role of the core, the oracle adapter, the insurance pool and the liquidity vault
 * ends with the timelock, and the deployer keeps none (read back from the chain after the deployment).
 */
import { expect } from "chai";
import { id, ZeroHash } from "ethers";
import { network } from "hardhat";
import { deployBallast, handOverToTimelock } from "../../../scripts/lib/deployment.js";

describe("deployment: admin roles handed to a TimelockController", function () {
  this.timeout(120_000);

  it("the timelock holds every admin role, the deployer none, and a parameter change must wait the delay", async () => {
    const connection = await network.create();
    const { ethers } = connection;
    const [deployer, proposer] = await ethers.getSigners();
    const deployment = await deployBallast(connection, { deploymentId: "timelock-test" });
    const timelockAddress = await handOverToTimelock(connection, deployment, {
      deploymentId: "timelock-test",
      delaySeconds: 3_600,
      proposer: proposer!.address,
    });

    const core = await ethers.getContractAt("BallastCore", deployment.core);
    const oracle = await ethers.getContractAt("OracleAdapter", deployment.oracle);
    const insurance = await ethers.getContractAt("InsurancePool", deployment.insurancePool);
    const vault = await ethers.getContractAt("LiquidityVault", deployment.vault);
    const orderBook = await ethers.getContractAt("OrderBook", deployment.orderBook!);
    const timelock = await ethers.getContractAt("BallastTimelock", timelockAddress);
    const roles = [
      [core, ZeroHash, "core admin"],
      [core, id("RISK_MANAGER_ROLE"), "core risk manager"],
      [core, id("PAUSER_ROLE"), "core pauser"],
      [oracle, ZeroHash, "oracle admin"],
      [oracle, id("ORACLE_ADMIN_ROLE"), "oracle feeds admin"],
      [insurance, ZeroHash, "insurance admin"],
      [vault, ZeroHash, "vault admin"],
      [orderBook, ZeroHash, "order book admin"],
    ] as const;
    for (const [contract, role, name] of roles) {
      expect(await contract.hasRole(role, timelockAddress), `timelock holds ${name}`).to.equal(true);
      expect(await contract.hasRole(role, deployer!.address), `deployer keeps ${name}`).to.equal(false);
    }
    expect(await timelock.getMinDelay()).to.equal(3_600n);

    // The deployer can no longer change anything directly; the proposer can only schedule, not execute early.
    const risk = await core.riskParams();
    await expect(core.connect(deployer!).pause()).to.be.revertedWithCustomError(
      core,
      "AccessControlUnauthorizedAccount",
    );
    const call = core.interface.encodeFunctionData("pause");
    await timelock.connect(proposer!).schedule(deployment.core, 0n, call, ZeroHash, ZeroHash, 3_600n);
    await expect(timelock.execute(deployment.core, 0n, call, ZeroHash, ZeroHash)).to.be.revertedWithCustomError(
      timelock,
      "TimelockUnexpectedOperationState",
    );
    await connection.networkHelpers.time.increase(3_600);
    await timelock.execute(deployment.core, 0n, call, ZeroHash, ZeroHash); // anyone may execute once ready
    expect(await core.paused()).to.equal(true);
    expect(risk.liquidationFeeRate > 0n).to.equal(true);
    await connection.close();
  });
});
