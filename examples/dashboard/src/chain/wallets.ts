/**
 * Who signs: the browser wallet connected through wagmi (chain/wagmi.ts), or, on a local Hardhat chain only, one of
 * Hardhat's default test accounts (their keys are public), which sign in the page and send raw transactions.
 */
import {
  type Account,
  type Address,
  type Chain,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

/**
 * The private keys of the accounts of Hardhat's default mnemonic ("test test … junk", m/44'/60'/0'/0/i), #0–#9.
 * PUBLIC KNOWLEDGE: anything sent to these addresses on a real network is lost.
 */
export const HARDHAT_TEST_KEYS: readonly Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

export const HARDHAT_CHAIN_ID = 31337;

export type Signer = WalletClient<Transport, Chain, Account>;

/** Which signer the user chose: the connected browser wallet, or a local test account. */
export type SignerChoice = { kind: "wallet" } | { kind: "test"; index: number };

const addresses = new Map<number, Address>();

/** The address of test account #index (derived once). */
export function testAccountAddress(index: number): Address {
  const known = addresses.get(index);
  if (known !== undefined) return known;
  const key = HARDHAT_TEST_KEYS[index];
  if (key === undefined) throw new Error(`There is no test account #${index} (0–${HARDHAT_TEST_KEYS.length - 1}).`);
  const address = privateKeyToAccount(key).address;
  addresses.set(index, address);
  return address;
}

/** The chain the deployment lives on, with the node's URL. */
export function dashboardChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === HARDHAT_CHAIN_ID ? "Hardhat (local)" : `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** A wallet client that signs locally with test account #index and sends raw transactions to the node. */
export function testWallet(index: number, chain: Chain, rpcUrl: string): Signer {
  const key = HARDHAT_TEST_KEYS[index];
  if (key === undefined) throw new Error(`There is no test account #${index}.`);
  return createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(rpcUrl) });
}

/** "0x7099…79C8" */
export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}
