/**
 * The example dashboard (examples/dashboard) in a real browser: a `hardhat node` on a free port, Ballast deployed
 * to it with the dashboard's deployment script, the dashboard's Vite dev server, and Debian's Chromium driven by
 * playwright-core. The user (a local test account) creates an account, mints and deposits USDC, is refused a trade
 * that breaks initial margin (the SDK's message), opens a position and sees its liquidation price; a too-large
 * withdrawal is explained by its real cause (open losses, initial margin, unrealised profit) as the price moves;
 * the health gauge turns amber then red; a keeper liquidates the account and the liquidation appears in the live
 * feed. The layout is checked at phone and desktop widths. Last, a browser wallet (an EIP-1193 provider injected
 * into the page, announced with EIP-6963, forwarding to the node) connects through wagmi and deposits.
 *
 * The deployment file served to the page names the collateral "DAI" while the token says "USDC": the dashboard
 * must go by the token (symbol() and decimals()), and say that the file disagrees.
 *
 * Screenshots: test-artifacts/dashboard/*.png (layout-<width>.png for each width). Chromium is required at /usr/bin/chromium (CI installs it with apt);
 * without it this test fails, it is never skipped.
 */
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createPublicClient, http } from "viem";
import { createServer, type ViteDevServer } from "vite";
import { deployForDashboard, writeDeployment } from "../../../examples/dashboard/scripts/deployDashboard.js";
import { dashboardViteConfig } from "../../../examples/dashboard/vite.config.js";
import type { BallastDeployment } from "../../../sdk/src/deployment.js";
import { formatPrice, getAccount } from "../../../sdk/src/index.js";
import { E2E_WALLET_NAME, injectWallet, moveWalletToChain, walletCalls } from "../helpers/dashboardWallet.js";
import { createOrderTrader } from "../helpers/orders.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts/dashboard");
const HARDHAT_CLI = join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const WAD = 10n ** 18n;
const FEED_UNIT = 10n ** 10n; // WAD → 8-decimal feed answer
const AMBER = "rgb(245, 158, 11)";
const RED = "rgb(239, 68, 68)";
/** Phone (360, 390), tablet and desktop widths the layout must fit. */
const WIDTHS = [360, 390, 768, 1440];

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("The OS gave no free port.");
  return address.port;
}

async function waitForNode(url: string, node: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (node.exitCode !== null) throw new Error(`hardhat node exited (${node.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`hardhat node did not answer on ${url} within 30 s:\n${output()}`);
}

describe("Dashboard in a browser (examples/dashboard, end to end)", function () {
  this.timeout(90_000);

  let node: ChildProcess | undefined;
  let vite: ViteDevServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let ethers: HardhatEthers;
  let closeConnection: (() => Promise<void>) | undefined;
  let deployment: BallastDeployment;
  let btcFeed: string;
  let rpcUrl: string;
  let accountId: bigint;
  /** The browser wallet's account: Hardhat node account #4 (unlocked on the node), not one of the page's keys. */
  let walletAddress: string;
  const pageErrors: string[] = [];
  /** The test's settlement keeper: settles every order the page commits (see `before`). */
  let settleTimer: NodeJS.Timeout | undefined;
  const tmp = mkdtempSync(join(tmpdir(), "ballast-dashboard-"));

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const text = (testId: string) => page.getByTestId(testId).first().innerText();
  const publicClient = () => createPublicClient({ transport: http(rpcUrl) });
  const setBtcPrice = async (priceWad: bigint) => {
    const feed = await ethers.getContractAt("MockAggregator", btcFeed);
    await (await feed.setAnswer(priceWad / FEED_UNIT)).wait();
  };

  before(async function () {
    this.timeout(90_000);
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: the dashboard test drives a real browser. Install it with ` +
          "`sudo apt-get install -y chromium` (CI does), then run the tests again.",
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });

    // 1. A real node on a free port.
    const nodePort = await freePort();
    rpcUrl = `http://127.0.0.1:${nodePort}`;
    let output = "";
    node = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(nodePort)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    node.stdout?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    node.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    await waitForNode(rpcUrl, node, () => output);

    // 2. Ballast on it, with the dashboard's deployment script (deploy library + Multicall3 + seeded pools).
    const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
    ethers = connection.ethers;
    closeConnection = () => connection.close();
    const deployed = await deployForDashboard(ethers);
    deployment = deployed.deployment;
    btcFeed = deployed.feeds.BTC ?? "";
    const deploymentFile = join(tmp, "localhost.json");
    // A stale hint, as a file copied from another network could carry: the token itself says USDC.
    writeDeployment(deploymentFile, { ...deployment, collateralSymbol: "DAI" });
    walletAddress = (await ethers.getSigners())[4]?.address ?? "";

    // 2b. A settlement keeper: every order the page commits is settled after its delay at the adapter's price
    // (a local Pyth update), as the keeper process does with the local price service.
    const signers = await ethers.getSigners();
    const orderBook = await ethers.getContractAt("OrderBook", deployment.orderBook!);
    const orders = createOrderTrader({
      core: await ethers.getContractAt("BallastCore", deployment.core),
      orderBook,
      pyth: await ethers.getContractAt("MockPythUnique", deployment.pyth!),
      oracle: await ethers.getContractAt("OracleAdapter", deployment.oracle),
      token: await ethers.getContractAt("MockERC20", deployment.collateral),
      settler: signers[signers.length - 1]!,
    });
    let settling = false;
    settleTimer = setInterval(async () => {
      if (settling) return;
      settling = true;
      try {
        for (const log of await orderBook.queryFilter(orderBook.filters.OrderCommitted(), deployment.deploymentBlock)) {
          const { accountId: id, marketId } = log.args;
          if ((await orderBook.getOrder(id, marketId)).sizeDelta === 0n) continue;
          await orders.settle(id, marketId).catch(() => undefined); // a cancellation (failed check) is an outcome too
        }
      } catch {
        // the node is busy or shutting down: next tick
      } finally {
        settling = false;
      }
    }, 300);

    // 3. The dashboard's dev server, configured as `npm run dashboard` is, on free ports.
    const vitePort = await freePort();
    vite = await createServer({
      ...dashboardViteConfig({
        deploymentFile,
        rpcUrl,
        port: vitePort,
        pollingIntervalMs: 250,
        cacheDir: join(tmp, "vite-cache"),
      }),
      configFile: false,
      logLevel: "warn",
    });
    await vite.listen();

    // 4. Chromium with a new, empty profile.
    context = await chromium.launchPersistentContext(join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1440, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await injectWallet(page, { rpcUrl, address: walletAddress, chainId: deployment.chainId });
    await page.goto(`http://127.0.0.1:${vitePort}/?account=1&poll=250`);
  });

  afterEach(async function () {
    // A failing step leaves its screen and the page's last words behind, to see what the user would have seen.
    if (this.currentTest?.state !== "failed" || context === undefined) return;
    const name = (this.currentTest.title.split(/\W+/).slice(0, 4).join("-") || "step").toLowerCase();
    await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => undefined);
    for (const testId of ["activity", "collateral-error", "wallet-error", "trade-error"]) {
      const shown = await page
        .getByTestId(testId)
        .first()
        .getAttribute("title", { timeout: 500 })
        .then(async (title) => `${await page.getByTestId(testId).first().innerText()} ${title ?? ""}`)
        .catch(() => undefined);
      if (shown !== undefined) console.log(`      [${testId}] ${shown}`);
    }
  });

  after(async () => {
    clearInterval(settleTimer);
    await context?.close();
    await vite?.close();
    await closeConnection?.();
    if (node !== undefined && node.exitCode === null) {
      const exited = new Promise((resolve) => node?.once("exit", resolve));
      node.kill("SIGTERM");
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it("shows the markets (mark price, funding, open interest, tiers), the pools and an empty liquidation feed", async () => {
    await expectText(page, "mark-BTC", "$50,000.00");
    await expectText(page, "mark-ETH", "$2,000.00");
    // The seeded background trader holds 0.5 BTC long and 20 ETH short.
    await expectText(page, "oi-long", "0.5 BTC");
    expect(await page.getByTestId("oi-short").nth(1).innerText()).to.contain("20 ETH");
    expect(await text("funding-BTC")).to.match(/^\+0\.\d+%\/h$/);
    expect(await page.getByTestId("tiers-BTC").locator("tbody tr").count()).to.equal(4);
    expect(await page.getByTestId("tiers-BTC").innerText()).to.match(/2\.00%\s+1\.00%\s+50x/);
    await expectText(page, "vault-assets", "1,000,0");
    await expectText(page, "insurance-assets", "100,0");
    await page.getByTestId("feed-empty").waitFor();
    expect(await text("signer-address")).to.equal("0x7099…79C8");
    expect(await page.getByTestId("signer-select").inputValue()).to.equal("test:1");
    // The collateral as the token describes itself, not as the deployment file says.
    expect(await text("collateral-token")).to.equal("USDC (6 decimals, read from the token)");
    expect(await text("collateral-warning")).to.contain('says symbol "DAI"');
    await shot("01-overview");
  });

  it("shows the user's pending LP deposit request, when it becomes settleable, and settles it with one click", async () => {
    await expectText(page, "vault-requests", "No pending request.");
    await expectText(page, "insurance-requests", "No pending request.");
    // The page's user (test account 1) requests a 500 USDC vault deposit (outside the page: the request flow is the
    // SDK's and the contract's; the page shows it and settles it).
    const [, user] = await ethers.getSigners();
    const token = await ethers.getContractAt("MockERC20", deployment.collateral);
    const vault = await ethers.getContractAt("LiquidityVault", deployment.vault);
    await (await token.mint(user!.address, 500_000_000n)).wait();
    await (await token.connect(user!).approve(deployment.vault, 500_000_000n)).wait();
    await (await vault.connect(user!).requestDeposit(500_000_000n, user!.address, user!.address)).wait();
    await expectText(page, "vault-requests-deposit", "500");
    await expectText(page, "vault-requests-deposit-status", "settleable in ");
    expect(await page.getByTestId("vault-requests-deposit-settle").isDisabled()).to.equal(true);

    const connection = ethers.provider;
    await connection.send("evm_increaseTime", [Number(await vault.settlementDelay())]);
    await connection.send("evm_mine", []);
    await expectText(page, "vault-requests-deposit-status", "settleable now");
    await page.getByTestId("vault-requests-deposit-settle").click();
    await expectText(page, "vault-requests", "No pending request.");
    // Minted at the worse of the request-time and settlement-time price: never more than the request's quote.
    const minted = await vault.balanceOf(user!.address);
    expect(minted > 0n).to.equal(true);
    expect(minted <= 500_000_000n * 10n ** 6n).to.equal(true);
    await shot("01b-pool-request-settled");
  });

  it("creates an account, mints test USDC, and approves + deposits it, with the SDK's what-if first", async () => {
    await page.getByTestId("create-account").click();
    await page.getByTestId("account-title").waitFor();
    const title = await text("account-title");
    expect(title).to.match(/^#\d+ · cross margin$/);
    accountId = BigInt(/#(\d+)/.exec(title)?.[1] ?? "0");
    const core = await ethers.getContractAt("BallastCore", deployment.core);
    const [signer1] = (await ethers.getSigners()).slice(1);
    expect((await core.getAccount(accountId)).owner).to.equal(signer1?.address);

    await page.getByTestId("mint").click();
    await expectText(page, "wallet-balance", "10,000 USDC");
    await page.getByTestId("collateral-amount").fill("1000");
    await expectText(page, "collateral-preview", "$1,000.00");
    expect(await text("collateral-submit")).to.equal("Approve & deposit");
    await page.getByTestId("collateral-submit").click();
    await expectText(page, "equity", "$1,000.00");
    expect((await core.getAccount(accountId)).margin).to.equal(1_000n * WAD);
    // Principal only, LP capital covering every profit: no haircut, and the panel says so.
    expect(await text("haircut")).to.equal("none");
    expect(await page.getByTestId("health-gauge").getAttribute("data-level")).to.equal("idle");
  });

  it("previews a trade that breaks initial margin and shows the SDK's typed error, from the preview and on chain", async () => {
    await page.getByTestId("ticket-market-BTC").click();
    await page.getByTestId("side-long").click();
    await page.getByTestId("trade-size").fill("2");
    const error = page.getByTestId("trade-error");
    await expectText(page, "trade-error", "below the initial margin");
    expect(await error.getAttribute("data-source")).to.equal("preview");
    expect(await error.innerText()).to.match(
      /^Buying 2 BTC would leave equity \$[\d,.]+ below the initial margin \$3,000\.\d\d; add at least \$[\d,.]+ of margin or trade a smaller size\.$/,
    );
    await page.getByTestId("trade-submit").click();
    await page.locator('[data-testid="trade-error"][data-source="chain"]').waitFor();
    expect(await error.innerText()).to.match(/^Not sent: Buying 2 BTC would leave equity .* below the initial margin/);
    await shot("02-insufficient-margin");
    const core = await ethers.getContractAt("BallastCore", deployment.core);
    expect((await core.getPosition(accountId, 0n)).size).to.equal(0n);
  });

  it("opens a position after previewing fee, health and liquidation price, and shows the SDK's liquidation price", async () => {
    await page.getByTestId("trade-size").fill("0.4");
    await expectText(page, "preview-liq", "$4");
    expect(await text("preview-fee")).to.match(/^\$10\.0\d$/); // 0.05% taker fee on ~$20,000
    expect(await text("preview-health")).to.match(/^\d+\.\d\d$/);
    expect(await page.getByTestId("trade-error").count()).to.equal(0);
    await shot("03-trade-preview");
    await page.getByTestId("trade-submit").click();
    await page.getByTestId("position-BTC").waitFor();

    const view = await getAccount(publicClient(), { deployment, accountId });
    const position = view.positions.find((p) => p.marketId === 0);
    expect(position?.size).to.equal(4n * 10n ** 17n);
    const expected = position?.liquidationPrice;
    expect(expected, "the SDK's liquidation price").to.be.a("bigint");
    await expectText(page, "liq-price-BTC", formatPrice(expected ?? 0n));
    expect(await page.getByTestId("health-gauge").getAttribute("data-level")).to.equal("healthy");
    await shot("04-position");
  });

  it("explains a too-large withdrawal by its cause: open losses, then initial margin, then unrealised profit", async () => {
    const error = page.getByTestId("collateral-error");
    // `pattern` is the sentence expected at `price`: a slow machine can render the refusal of the previous price
    // first (same cause, same amount asked), so wait for the sentence itself, not only for its cause.
    const refusal = async (price: bigint, amount: string, cause: string, pattern: RegExp) => {
      await setBtcPrice(price * WAD);
      await expectText(page, "mark-BTC", formatPrice(price * WAD));
      await page.getByTestId("collateral-amount").fill(amount);
      await page.locator(`[data-testid="collateral-error"][data-cause="${cause}"]`).waitFor();
      expect(await error.getAttribute("data-source")).to.equal("preview");
      // The cause attribute and the sentence render together, but a slow machine can read between two renders:
      // wait until the sentence names the amount asked.
      const asked = `Withdrawing ${Number(amount).toLocaleString("en-US")} USDC`;
      await page.locator('[data-testid="collateral-error"]', { hasText: asked }).waitFor({ timeout: 20_000 });
      try {
        await page.locator('[data-testid="collateral-error"]', { hasText: pattern }).waitFor({ timeout: 20_000 });
      } catch {
        // Fall through: the assertion below prints the sentence shown.
      }
      const shown = await error.innerText();
      expect(shown).to.match(pattern);
      return shown;
    };
    await page.getByTestId("mode-withdraw").click();

    // At a loss: the losses and the IM bind; the SDK's sentence would blame "unrealised profit" here.
    const atLoss = await refusal(
      49_000n,
      "900",
      "open-losses",
      /^Withdrawing 900 USDC is more than can leave now: at most [\d,.]+ USDC, because open losses of \$[\d,.]+ bring equity down to \$[\d,.]+, and the initial margin of \$39\d\.\d\d the positions need must stay/,
    );
    expect(atLoss).to.not.contain("unrealised profit");
    // The same refusal from the on-chain simulation (the button stays enabled: the chain has the last word).
    await page.getByTestId("collateral-submit").click();
    await page.locator('[data-testid="collateral-error"][data-source="chain"][data-cause="open-losses"]').waitFor();
    expect(await error.innerText()).to.match(/^Not sent: Withdrawing 900 USDC .* because open losses of/);
    await shot("04b-withdraw-at-a-loss");

    // A small profit, less than the IM: the IM is what stays. (Another amount: the on-chain refusal above stays
    // on screen until the amount changes.)
    await refusal(
      50_500n,
      "950",
      "initial-margin",
      /because the initial margin of \$40\d\.\d\d the open positions need must stay in the account/,
    );
    // A profit above the IM: only realised margin can leave.
    await refusal(
      52_500n,
      "1000",
      "unrealised-profit",
      /because only realised margin \(\$9\d\d\.\d\d\) can leave; the unrealised profit of \$[\d,.]+ cannot/,
    );

    await page.getByTestId("collateral-amount").fill("");
    await page.getByTestId("mode-deposit").click();
    await setBtcPrice(50_000n * WAD);
    await expectText(page, "mark-BTC", "$50,000.00");
  });

  it("turns the health gauge amber at an 80% margin ratio and red at 100% as the price falls", async () => {
    const view = await getAccount(publicClient(), { deployment, accountId });
    const position = view.positions.find((p) => p.marketId === 0);
    const warning = position?.warningPrice ?? 0n;
    const liquidation = position?.liquidationPrice ?? 0n;
    expect(warning > liquidation && liquidation > 0n).to.equal(true);

    await setBtcPrice((warning + liquidation) / 2n);
    const gauge = page.getByTestId("health-gauge");
    await page.locator('[data-testid="health-gauge"][data-level="warning"]').waitFor();
    expect(await arcColour(page)).to.equal(AMBER);
    const ratio = Number.parseFloat((await page.getByTestId("margin-ratio").textContent()) ?? "");
    expect(ratio).to.be.within(80, 100);
    await shot("05-gauge-amber");

    await setBtcPrice((liquidation * 999n) / 1000n);
    await page.locator('[data-testid="health-gauge"][data-level="danger"]').waitFor();
    expect(await arcColour(page)).to.equal(RED);
    expect(Number.parseFloat((await page.getByTestId("margin-ratio").textContent()) ?? "")).to.be.at.least(100);
    expect(await gauge.innerText()).to.contain("Liquidatable");
    await page.getByTestId("liquidation-preview").waitFor();
    await shot("06-gauge-red");
  });

  it("shows the liquidation in the live feed when a keeper liquidates the account", async () => {
    const signers = await ethers.getSigners();
    const keeper = signers[2];
    if (keeper === undefined) throw new Error("no keeper signer");
    const core = await ethers.getContractAt("BallastCore", deployment.core);
    const receipt = await (await core.connect(keeper).liquidate(accountId, keeper.address)).wait();
    const liquidated = receipt?.logs
      .map((log) => core.interface.parseLog(log))
      .find((parsed) => parsed?.name === "AccountLiquidated");
    expect(liquidated?.args.accountId).to.equal(accountId);

    const entry = page.locator(`[data-testid="liquidation-entry"][data-account="${accountId}"]`);
    await entry.waitFor();
    const entryText = await entry.innerText();
    expect(entryText).to.contain(`Account #${accountId}`);
    expect(entryText).to.contain("by 0x3C44…93BC");
    expect(entryText).to.match(liquidated?.args.full ? /Full/ : /Partial \d+\.\d%/);
    expect(entryText).to.match(/BTC-PERP: closed -?0\.\d+ BTC at \$4\d,\d{3}\.\d\d/);
    expect(await page.getByTestId("liquidation-entry").count()).to.equal(1);
    // After a partial liquidation the account is back above maintenance margin (health 1 + buffer).
    await page.locator('[data-testid="health-gauge"]:not([data-level="danger"])').waitFor();
    await shot("07-liquidated");
  });

  it("fits phone (360, 390 px), tablet and desktop widths: no horizontal overflow, account figures visible", async () => {
    await page.getByTestId("equity").waitFor();
    try {
      for (const width of WIDTHS) await checkLayout(page, width, `layout-${width}`);
    } finally {
      await page.setViewportSize({ width: 1440, height: 1000 });
    }
  });

  it("connects a browser wallet through wagmi (EIP-6963), deposits with transactions it sends, follows its chain", async () => {
    // Only the announced wallet is offered (the generic window.ethereum connector would be the same wallet again).
    const connect = page.getByTestId("connect-wallet");
    expect(await connect.count()).to.equal(1);
    expect(await connect.getAttribute("data-connector")).to.equal(E2E_WALLET_NAME);
    await connect.click();
    await page.locator('[data-testid="wallet"][data-status="connected"]').waitFor();
    expect(await text("wallet-name")).to.equal(E2E_WALLET_NAME);
    expect(await text("wallet-address")).to.equal(short(walletAddress));
    expect(await text("wallet-chain")).to.equal("chain 31337");
    // Connecting makes the wallet the signer.
    await expectText(page, "signer-address", short(walletAddress));
    expect(await page.getByTestId("signer-select").inputValue()).to.equal("wallet");

    await page.getByTestId("create-account").click();
    await expectText(page, "account-title", "cross margin");
    const id = BigInt(/#(\d+)/.exec(await text("account-title"))?.[1] ?? "0");
    const core = await ethers.getContractAt("BallastCore", deployment.core);
    expect((await core.getAccount(id)).owner).to.equal(walletAddress);

    await page.getByTestId("mint").click();
    await expectText(page, "wallet-balance", "10,000 USDC");
    await page.getByTestId("mode-deposit").click();
    await page.getByTestId("collateral-amount").fill("500");
    await page.getByTestId("collateral-submit").click();
    await expectText(page, "equity", "$500.00");
    expect((await core.getAccount(id)).margin).to.equal(500n * WAD);

    // Every transaction went out through the injected provider, from the wallet's account: create, mint,
    // approve, deposit.
    const sent = (await walletCalls(page)).filter((call) => call.method === "eth_sendTransaction");
    expect(sent.length).to.equal(4);
    for (const call of sent) {
      const [request] = call.params as [{ from: string }];
      expect(request.from.toLowerCase()).to.equal(walletAddress.toLowerCase());
      expect(call.result).to.match(/^0x[0-9a-f]{64}$/);
    }
    const deposit = await publicClient().getTransaction({ hash: sent[3]?.result as `0x${string}` });
    expect(deposit.from.toLowerCase()).to.equal(walletAddress.toLowerCase());
    expect(deposit.to?.toLowerCase()).to.equal(deployment.core.toLowerCase());
    await shot("08-wallet-deposit");
    // The header with a connected wallet still fits a phone.
    await checkLayout(page, 360, "08b-wallet-360");
    await page.setViewportSize({ width: 1440, height: 1000 });

    // The user moves the wallet to another network: the page says so and will not send until it is switched back.
    await moveWalletToChain(page, 1);
    await expectText(page, "wallet-chain", "on chain 1, not 31337");
    await page.getByTestId("signer-none").waitFor();
    expect(await page.getByTestId("create-account").isDisabled()).to.equal(true);
    await page.getByTestId("switch-chain").click();
    await page.getByTestId("switch-chain").waitFor({ state: "detached" });
    expect(await text("wallet-chain")).to.equal("chain 31337");
    await expectText(page, "signer-address", short(walletAddress));
    expect(await page.getByTestId("create-account").isDisabled()).to.equal(false);

    // Disconnect: no signer until a wallet or (on this local chain) a test account is chosen again.
    await page.getByTestId("disconnect-wallet").click();
    await page.locator('[data-testid="wallet"][data-status="disconnected"]').waitFor();
    await page.getByTestId("signer-none").waitFor();
    expect(await page.getByTestId("create-account").isDisabled()).to.equal(true);
    await page.getByTestId("signer-select").selectOption("test:1");
    await expectText(page, "signer-address", "0x7099…79C8");
    expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
  });
});

/** Waits until the element's text contains `expected`. */
async function expectText(page: Page, testId: string, expected: string): Promise<void> {
  const locator = page.getByTestId(testId).first();
  try {
    await locator.filter({ hasText: expected }).waitFor();
  } catch (error) {
    const actual = await locator.innerText({ timeout: 1_000 }).catch(() => "(missing)");
    throw new Error(`[data-testid=${testId}] should contain "${expected}"; it shows "${actual}".`, { cause: error });
  }
}

/**
 * At `width` px: no horizontal overflow (`scrollWidth ≤ innerWidth`), and the account panel's eight figures laid out
 * with a non-zero width inside the viewport. Saves a full-page screenshot as `<name>.png` first, to see a failure.
 */
async function checkLayout(page: Page, width: number, name: string): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  // Two frames: the resize has been laid out and painted.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // The outermost elements that reach past the right edge (outside a panel's own scrolling table), for the
    // failure message.
    offenders: Array.from(document.querySelectorAll("body *"))
      .filter(
        (element) =>
          element.getBoundingClientRect().right > window.innerWidth + 0.5 &&
          element.closest(".table-scroll") === null &&
          !(element.parentElement && element.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5),
      )
      .slice(0, 5)
      .map(
        (element) =>
          `${element.tagName.toLowerCase()}.${element.className} (${Math.round(element.getBoundingClientRect().right)} px)`,
      ),
    figures: Array.from(document.querySelectorAll('[data-testid="account-panel"] .stat')).map((stat) => {
      const value = stat.querySelector(".stat-value")?.getBoundingClientRect();
      return {
        label: stat.querySelector(".stat-label")?.textContent ?? "",
        width: value?.width ?? 0,
        right: value?.right ?? Number.POSITIVE_INFINITY,
      };
    }),
  }));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  expect(layout.scrollWidth, `page width at ${width} px; past the edge: ${layout.offenders.join(", ")}`).to.be.at.most(
    layout.innerWidth,
  );
  expect(layout.figures.length, "account figures").to.equal(9);
  for (const figure of layout.figures) {
    expect(figure.width, `"${figure.label}" at ${width} px`).to.be.greaterThan(0);
    expect(figure.right, `"${figure.label}" inside the viewport at ${width} px`).to.be.at.most(width);
  }
}

/** The computed stroke colour of the gauge's value arc. */
function arcColour(page: Page): Promise<string> {
  return page.getByTestId("gauge-arc").evaluate((element) => getComputedStyle(element).stroke);
}
