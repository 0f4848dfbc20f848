/**
 * Hardhat Ignition module: hands every admin role of a Ballast deployment to a `BallastTimelock` (OpenZeppelin's
 * TimelockController) and has the deployer renounce all of its own, so no single key can change a parameter
 * without the timelock's public delay. `scripts/deploy.ts` runs it on every network but a local one.
 *
 *   deployer ──grant──► timelock: core (DEFAULT_ADMIN, RISK_MANAGER, PAUSER), oracle (DEFAULT_ADMIN,
 *                                 ORACLE_ADMIN), insurance pool, liquidity vault and
 *                                 order book (DEFAULT_ADMIN)
 *   deployer ──renounce──► every one of those roles
 *
 * Parameters: BallastGovernance.core, .oracle, .insurancePool, .vault, .orderBook (the deployment's addresses;
 * required),
 * .timelockDelaySeconds (2 days), .proposer (the deployer: set your multisig), .executor (the zero address:
 * anyone may execute a ready operation).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future } from "@nomicfoundation/ignition-core";
import { id, ZeroAddress, ZeroHash } from "ethers";

export const TIMELOCK_DELAY_SECONDS = 2 * 24 * 3600;

const ROLES = {
  admin: ZeroHash,
  riskManager: id("RISK_MANAGER_ROLE"),
  pauser: id("PAUSER_ROLE"),
  oracleAdmin: id("ORACLE_ADMIN_ROLE"),
};

/** The module; the deployment's addresses come in as parameters (core, oracle, insurancePool, vault, orderBook). */
export function buildTimelockModule() {
  return buildModule("BallastGovernance", (m) => {
    const deployer = m.getAccount(0);
    const delay = m.getParameter("timelockDelaySeconds", TIMELOCK_DELAY_SECONDS);
    const proposer = m.getParameter("proposer", deployer);
    const executor = m.getParameter("executor", ZeroAddress);
    const core = m.contractAt("BallastCore", m.getParameter<string>("core"));
    const oracle = m.contractAt("OracleAdapter", m.getParameter<string>("oracle"));
    const insurancePool = m.contractAt("InsurancePool", m.getParameter<string>("insurancePool"));
    const vault = m.contractAt("LiquidityVault", m.getParameter<string>("vault"));
    const orderBook = m.contractAt("OrderBook", m.getParameter<string>("orderBook"));
    const timelock = m.contract("BallastTimelock", [delay, [proposer], [executor]]);

    const roles = [
      [core, "Core", [ROLES.admin, ROLES.riskManager, ROLES.pauser]],
      [oracle, "Oracle", [ROLES.admin, ROLES.oracleAdmin]],
      [insurancePool, "Insurance", [ROLES.admin]],
      [vault, "Vault", [ROLES.admin]],
      [orderBook, "Orders", [ROLES.admin]],
    ] as const;
    const granted: Future[] = [];
    for (const [contract, name, list] of roles) {
      for (const role of list) {
        granted.push(m.call(contract, "grantRole", [role, timelock], { id: `Grant${name}${role.slice(2, 10)}` }));
      }
    }
    // Renounce only once the timelock holds everything, the admin role last on each contract.
    for (const [contract, name, list] of roles) {
      let previous: Future[] = granted;
      for (const role of [...list].reverse()) {
        previous = [
          m.call(contract, "renounceRole", [role, deployer], {
            id: `Renounce${name}${role.slice(2, 10)}`,
            after: previous,
          }),
        ];
      }
    }
    return { timelock };
  });
}

export default buildTimelockModule();
