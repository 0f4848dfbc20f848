import { expect } from "chai";
import { network } from "hardhat";
const { ethers } = await network.connect();
describe("smoke", () => { it("deploys", async () => { const s = await ethers.deployContract("Smoke"); expect(await s.one()).to.equal(1n); }); });
