import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const WAD = 10n ** 18n;
const MAX_PRICE_WAD = 10n ** 36n;
const HOUR = 3600;
const DAY = 24 * HOUR;
const MAX_HEARTBEAT = 7 * DAY;
const MAX_GRACE_PERIOD = DAY;

const BTC = ethers.id("BTC/USD");
const ETH = ethers.id("ETH/USD");
const UNKNOWN = ethers.id("DOGE/USD");

// BTC/USD: 8-decimal feed at 60,000 USD, accepted between 1 and 1,000,000 USD.
const BTC_ANSWER = 60_000n * 10n ** 8n;
const BTC_PRICE_WAD = 60_000n * WAD;
const BTC_HEARTBEAT = DAY;
const BTC_MIN_WAD = 1n * WAD;
const BTC_MAX_WAD = 1_000_000n * WAD;

const SEQUENCER_GRACE_PERIOD = HOUR;

async function adminAndStranger() {
  const [admin, stranger] = await ethers.getSigners();
  if (admin === undefined || stranger === undefined) throw new Error("the network must provide two signers");
  return { admin, stranger };
}

async function deployFixture() {
  const { admin, stranger } = await adminAndStranger();
  const adapter = await ethers.deployContract("OracleAdapter", [admin.address]);
  const btcAggregator = await ethers.deployContract("MockAggregator", [8, BTC_ANSWER, "BTC / USD"]);
  await adapter.setFeed(BTC, btcAggregator, BTC_HEARTBEAT, BTC_MIN_WAD, BTC_MAX_WAD);
  const oracleAdminRole = await adapter.ORACLE_ADMIN_ROLE();
  return { adapter, btcAggregator, admin, stranger, oracleAdminRole };
}

/** The BTC feed behind an L2 sequencer-uptime feed that has been up since long before the grace period. */
async function sequencerFixture() {
  const base = await deployFixture();
  const sequencerFeed = await ethers.deployContract("MockAggregator", [0, 0n, "L2 Sequencer Uptime Status Feed"]);
  await time.increase(SEQUENCER_GRACE_PERIOD);
  await base.btcAggregator.setAnswer(BTC_ANSWER);
  await base.adapter.setSequencerUptimeFeed(sequencerFeed, SEQUENCER_GRACE_PERIOD);
  return { ...base, sequencerFeed };
}

/** A fresh aggregator with `decimals` and `answer`, set as feed ETH with bounds [1 wei, 1e36]. */
async function feedWithDecimals(decimals: number, answer: bigint) {
  const { adapter } = await loadFixture(deployFixture);
  const aggregator = await ethers.deployContract("MockAggregator", [decimals, answer, "ETH / USD"]);
  await adapter.setFeed(ETH, aggregator, DAY, 1n, MAX_PRICE_WAD);
  return { adapter, aggregator };
}

describe("OracleAdapter", () => {
  describe("deployment", () => {
    it("grants DEFAULT_ADMIN_ROLE and ORACLE_ADMIN_ROLE to the admin only", async () => {
      const { adapter, admin, stranger, oracleAdminRole } = await loadFixture(deployFixture);
      expect(oracleAdminRole).to.equal(ethers.id("ORACLE_ADMIN_ROLE"));
      const defaultAdminRole = await adapter.DEFAULT_ADMIN_ROLE();
      expect(await adapter.hasRole(defaultAdminRole, admin.address)).to.equal(true);
      expect(await adapter.hasRole(oracleAdminRole, admin.address)).to.equal(true);
      expect(await adapter.hasRole(defaultAdminRole, stranger.address)).to.equal(false);
      expect(await adapter.hasRole(oracleAdminRole, stranger.address)).to.equal(false);
    });

    it("rejects a zero admin", async () => {
      const { adapter } = await loadFixture(deployFixture);
      const factory = await ethers.getContractFactory("OracleAdapter");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(adapter, "ZeroAddress");
    });

    it("starts with the sequencer check disabled", async () => {
      const { adapter } = await loadFixture(deployFixture);
      expect(await adapter.sequencerUptimeFeed()).to.equal(ethers.ZeroAddress);
      expect(await adapter.sequencerGracePeriod()).to.equal(0n);
    });
  });

  describe("setFeed", () => {
    it("stores the config with the aggregator's decimals and emits FeedSet", async () => {
      const { adapter } = await loadFixture(deployFixture);
      const aggregator = await ethers.deployContract("MockAggregator", [6, 3_000_000_000n, "ETH / USD"]);
      await expect(adapter.setFeed(ETH, aggregator, HOUR, 10n * WAD, 100_000n * WAD))
        .to.emit(adapter, "FeedSet")
        .withArgs(ETH, await aggregator.getAddress(), HOUR, 6, 10n * WAD, 100_000n * WAD);
      const config = await adapter.feedConfig(ETH);
      expect(config.aggregator).to.equal(await aggregator.getAddress());
      expect(config.heartbeat).to.equal(BigInt(HOUR));
      expect(config.decimals).to.equal(6n);
      expect(config.minPriceWad).to.equal(10n * WAD);
      expect(config.maxPriceWad).to.equal(100_000n * WAD);
      expect(await adapter.getPrice(ETH)).to.equal(3_000n * WAD);
    });

    it("replaces an existing feed", async () => {
      const { adapter } = await loadFixture(deployFixture);
      const replacement = await ethers.deployContract("MockAggregator", [18, 61_000n * WAD, "BTC / USD"]);
      await adapter.setFeed(BTC, replacement, HOUR, 2n * WAD, 3_000_000n * WAD);
      const config = await adapter.feedConfig(BTC);
      expect(config.aggregator).to.equal(await replacement.getAddress());
      expect(config.decimals).to.equal(18n);
      expect(await adapter.getPrice(BTC)).to.equal(61_000n * WAD);
    });

    it("rejects a zero aggregator", async () => {
      const { adapter } = await loadFixture(deployFixture);
      await expect(adapter.setFeed(ETH, ethers.ZeroAddress, HOUR, 1n, WAD)).to.be.revertedWithCustomError(
        adapter,
        "ZeroAddress",
      );
    });

    it("accepts heartbeats 1 and 7 days, rejects 0 and 7 days + 1", async () => {
      const { adapter, btcAggregator } = await loadFixture(deployFixture);
      await expect(adapter.setFeed(ETH, btcAggregator, 0, 1n, WAD))
        .to.be.revertedWithCustomError(adapter, "InvalidHeartbeat")
        .withArgs(0, MAX_HEARTBEAT);
      await expect(adapter.setFeed(ETH, btcAggregator, MAX_HEARTBEAT + 1, 1n, WAD))
        .to.be.revertedWithCustomError(adapter, "InvalidHeartbeat")
        .withArgs(MAX_HEARTBEAT + 1, MAX_HEARTBEAT);
      await adapter.setFeed(ETH, btcAggregator, 1, 1n, WAD);
      expect((await adapter.feedConfig(ETH)).heartbeat).to.equal(1n);
      await adapter.setFeed(ETH, btcAggregator, MAX_HEARTBEAT, 1n, WAD);
      expect((await adapter.feedConfig(ETH)).heartbeat).to.equal(BigInt(MAX_HEARTBEAT));
    });

    it("requires 0 < min < max ≤ 1e36", async () => {
      const { adapter, btcAggregator } = await loadFixture(deployFixture);
      const invalid: Array<[bigint, bigint]> = [
        [0n, WAD], // min = 0
        [WAD, WAD], // min = max
        [WAD + 1n, WAD], // min > max
        [1n, MAX_PRICE_WAD + 1n], // max above 1e36
      ];
      for (const [min, max] of invalid) {
        await expect(adapter.setFeed(ETH, btcAggregator, HOUR, min, max))
          .to.be.revertedWithCustomError(adapter, "InvalidPriceBounds")
          .withArgs(min, max);
      }
      // The tightest valid bounds: min = 1 wei, max = 1e36, and max = min + 1.
      await adapter.setFeed(ETH, btcAggregator, HOUR, 1n, MAX_PRICE_WAD);
      expect((await adapter.feedConfig(ETH)).maxPriceWad).to.equal(MAX_PRICE_WAD);
      await adapter.setFeed(ETH, btcAggregator, HOUR, WAD, WAD + 1n);
      expect((await adapter.feedConfig(ETH)).minPriceWad).to.equal(WAD);
    });

    it("accepts up to 36 decimals and rejects 37", async () => {
      const { adapter } = await loadFixture(deployFixture);
      const thirtySix = await ethers.deployContract("MockAggregator", [36, 5n * 10n ** 36n, "36"]);
      await adapter.setFeed(ETH, thirtySix, HOUR, 1n, MAX_PRICE_WAD);
      expect((await adapter.feedConfig(ETH)).decimals).to.equal(36n);
      expect(await adapter.getPrice(ETH)).to.equal(5n * WAD);

      const thirtySeven = await ethers.deployContract("MockAggregator", [37, 1n, "37"]);
      await expect(adapter.setFeed(ETH, thirtySeven, HOUR, 1n, MAX_PRICE_WAD))
        .to.be.revertedWithCustomError(adapter, "UnsupportedDecimals")
        .withArgs(37);
    });

    it("is restricted to ORACLE_ADMIN_ROLE", async () => {
      const { adapter, btcAggregator, stranger, oracleAdminRole } = await loadFixture(deployFixture);
      await expect(adapter.connect(stranger).setFeed(ETH, btcAggregator, HOUR, 1n, WAD))
        .to.be.revertedWithCustomError(adapter, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, oracleAdminRole);
    });

    it("lets a newly granted ORACLE_ADMIN_ROLE holder configure feeds", async () => {
      const { adapter, btcAggregator, stranger, oracleAdminRole } = await loadFixture(deployFixture);
      await adapter.grantRole(oracleAdminRole, stranger.address);
      await adapter.connect(stranger).setFeed(ETH, btcAggregator, HOUR, 1n, MAX_PRICE_WAD);
      expect((await adapter.feedConfig(ETH)).aggregator).to.equal(await btcAggregator.getAddress());
    });
  });

  describe("removeFeed", () => {
    it("clears the config, emits FeedRemoved, and blocks getPrice", async () => {
      const { adapter } = await loadFixture(deployFixture);
      await expect(adapter.removeFeed(BTC)).to.emit(adapter, "FeedRemoved").withArgs(BTC);
      const config = await adapter.feedConfig(BTC);
      expect(config.aggregator).to.equal(ethers.ZeroAddress);
      expect(config.maxPriceWad).to.equal(0n);
      await expect(adapter.getPrice(BTC)).to.be.revertedWithCustomError(adapter, "FeedNotConfigured").withArgs(BTC);
    });

    it("rejects a feed that is not configured", async () => {
      const { adapter } = await loadFixture(deployFixture);
      await expect(adapter.removeFeed(UNKNOWN))
        .to.be.revertedWithCustomError(adapter, "FeedNotConfigured")
        .withArgs(UNKNOWN);
    });

    it("is restricted to ORACLE_ADMIN_ROLE", async () => {
      const { adapter, stranger, oracleAdminRole } = await loadFixture(deployFixture);
      await expect(adapter.connect(stranger).removeFeed(BTC))
        .to.be.revertedWithCustomError(adapter, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, oracleAdminRole);
      expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);
    });
  });

  describe("setSequencerUptimeFeed", () => {
    it("stores the feed and grace period and emits SequencerUptimeFeedSet", async () => {
      const { adapter } = await loadFixture(deployFixture);
      const sequencerFeed = await ethers.deployContract("MockAggregator", [0, 0n, "sequencer"]);
      await expect(adapter.setSequencerUptimeFeed(sequencerFeed, MAX_GRACE_PERIOD))
        .to.emit(adapter, "SequencerUptimeFeedSet")
        .withArgs(await sequencerFeed.getAddress(), MAX_GRACE_PERIOD);
      expect(await adapter.sequencerUptimeFeed()).to.equal(await sequencerFeed.getAddress());
      expect(await adapter.sequencerGracePeriod()).to.equal(BigInt(MAX_GRACE_PERIOD));
    });

    it("rejects a grace period above 1 day", async () => {
      const { adapter } = await loadFixture(deployFixture);
      const sequencerFeed = await ethers.deployContract("MockAggregator", [0, 0n, "sequencer"]);
      await expect(adapter.setSequencerUptimeFeed(sequencerFeed, MAX_GRACE_PERIOD + 1))
        .to.be.revertedWithCustomError(adapter, "InvalidGracePeriod")
        .withArgs(MAX_GRACE_PERIOD + 1, MAX_GRACE_PERIOD);
    });

    it("can be disabled with the zero address, which lifts the check", async () => {
      const { adapter, sequencerFeed } = await loadFixture(sequencerFixture);
      await sequencerFeed.setAnswer(1);
      await expect(adapter.getPrice(BTC)).to.be.revertedWithCustomError(adapter, "SequencerDown");
      await expect(adapter.setSequencerUptimeFeed(ethers.ZeroAddress, 0))
        .to.emit(adapter, "SequencerUptimeFeedSet")
        .withArgs(ethers.ZeroAddress, 0);
      expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);
    });

    it("is restricted to ORACLE_ADMIN_ROLE", async () => {
      const { adapter, stranger, oracleAdminRole } = await loadFixture(deployFixture);
      await expect(adapter.connect(stranger).setSequencerUptimeFeed(ethers.ZeroAddress, 0))
        .to.be.revertedWithCustomError(adapter, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, oracleAdminRole);
    });
  });

  describe("getPrice", () => {
    it("returns the 8-decimal BTC answer as WAD", async () => {
      const { adapter } = await loadFixture(deployFixture);
      expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);
    });

    it("reverts FeedNotConfigured for an unknown feed", async () => {
      const { adapter } = await loadFixture(deployFixture);
      await expect(adapter.getPrice(UNKNOWN))
        .to.be.revertedWithCustomError(adapter, "FeedNotConfigured")
        .withArgs(UNKNOWN);
    });

    it("reverts InvalidAnswer for a zero or negative answer", async () => {
      const { adapter, btcAggregator } = await loadFixture(deployFixture);
      for (const answer of [0n, -1n, -BTC_ANSWER]) {
        await btcAggregator.setAnswer(answer);
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "InvalidAnswer")
          .withArgs(BTC, answer);
      }
    });

    describe("normalisation to 18 decimals", () => {
      const cases: Array<{ decimals: number; answer: bigint; priceWad: bigint; note: string }> = [
        { decimals: 0, answer: 42n, priceWad: 42n * WAD, note: "× 1e18" },
        { decimals: 6, answer: 1_234_567n, priceWad: 1_234_567n * 10n ** 12n, note: "× 1e12, exact" },
        { decimals: 8, answer: 6_000_012_345_678n, priceWad: 6_000_012_345_678n * 10n ** 10n, note: "× 1e10, exact" },
        { decimals: 18, answer: 1_234_567_890_123_456_789n, priceWad: 1_234_567_890_123_456_789n, note: "unchanged" },
        {
          decimals: 24,
          answer: 1_234_567_890_123_456_789_012_345n,
          priceWad: 1_234_567_890_123_456_789n, // the trailing 012_345 (< 1e6) is dropped
          note: "÷ 1e6, rounded down",
        },
        {
          decimals: 24,
          answer: 2n * 10n ** 24n - 1n,
          priceWad: 2n * WAD - 1n, // 1.999…999 rounds down, never up to 2e18
          note: "÷ 1e6, rounded down just below a whole unit",
        },
      ];
      for (const { decimals, answer, priceWad, note } of cases) {
        it(`${decimals} decimals: ${note}`, async () => {
          const { adapter } = await feedWithDecimals(decimals, answer);
          expect(await adapter.getPrice(ETH)).to.equal(priceWad);
        });
      }

      it("24 decimals: an answer below 1 wei of WAD rounds down to 0 and is rejected by the bounds", async () => {
        const { adapter } = await feedWithDecimals(24, 999_999n);
        await expect(adapter.getPrice(ETH))
          .to.be.revertedWithCustomError(adapter, "PriceOutOfBounds")
          .withArgs(ETH, 0n, 1n, MAX_PRICE_WAD);
      });

      it("an answer too large to scale saturates and reverts PriceOutOfBounds, not a panic", async () => {
        const { adapter } = await feedWithDecimals(0, ethers.MaxInt256);
        await expect(adapter.getPrice(ETH))
          .to.be.revertedWithCustomError(adapter, "PriceOutOfBounds")
          .withArgs(ETH, ethers.MaxUint256, 1n, MAX_PRICE_WAD);
      });
    });

    describe("staleness", () => {
      it("accepts an answer exactly `heartbeat` seconds old and rejects one a second older", async () => {
        const { adapter, btcAggregator } = await loadFixture(deployFixture);
        await btcAggregator.setAnswer(BTC_ANSWER);
        const updatedAt = await time.latest();
        await time.increase(BTC_HEARTBEAT); // mines a block at updatedAt + heartbeat
        expect(await time.latest()).to.equal(updatedAt + BTC_HEARTBEAT);
        expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);

        await networkHelpers.mine(); // one second later
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "StalePrice")
          .withArgs(BTC, updatedAt, BTC_HEARTBEAT);
      });

      it("rejects an answer with updatedAt = 0", async () => {
        const { adapter, btcAggregator } = await loadFixture(deployFixture);
        await btcAggregator.setRoundData(7, BTC_ANSWER, 0, 0, 7);
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "StalePrice")
          .withArgs(BTC, 0, BTC_HEARTBEAT);
      });

      it("rejects an answer dated in the future", async () => {
        const { adapter, btcAggregator } = await loadFixture(deployFixture);
        const next = (await time.latest()) + 1;
        await time.setNextBlockTimestamp(next);
        await btcAggregator.setRoundData(7, BTC_ANSWER, next + 1, next + 1, 7);
        expect(await time.latest()).to.equal(next);
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "StalePrice")
          .withArgs(BTC, next + 1, BTC_HEARTBEAT);
      });
    });

    describe("bounds", () => {
      const MIN = 100n * WAD;
      const MAX = 200n * WAD;

      async function boundedFixture() {
        const { adapter } = await deployFixture();
        const aggregator = await ethers.deployContract("MockAggregator", [18, 150n * WAD, "ETH / USD"]);
        await adapter.setFeed(ETH, aggregator, DAY, MIN, MAX);
        return { adapter, aggregator };
      }

      it("accepts exactly min and exactly max", async () => {
        const { adapter, aggregator } = await loadFixture(boundedFixture);
        await aggregator.setAnswer(MIN);
        expect(await adapter.getPrice(ETH)).to.equal(MIN);
        await aggregator.setAnswer(MAX);
        expect(await adapter.getPrice(ETH)).to.equal(MAX);
      });

      it("rejects min − 1 wei and max + 1 wei", async () => {
        const { adapter, aggregator } = await loadFixture(boundedFixture);
        for (const priceWad of [MIN - 1n, MAX + 1n]) {
          await aggregator.setAnswer(priceWad);
          await expect(adapter.getPrice(ETH))
            .to.be.revertedWithCustomError(adapter, "PriceOutOfBounds")
            .withArgs(ETH, priceWad, MIN, MAX);
        }
      });

      it("applies the bounds after normalisation", async () => {
        // 8 decimals: 0.99999999 USD normalises to 0.99999999e18 < 1e18 = BTC_MIN_WAD.
        const { adapter, btcAggregator } = await loadFixture(deployFixture);
        await btcAggregator.setAnswer(99_999_999n);
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "PriceOutOfBounds")
          .withArgs(BTC, 99_999_999n * 10n ** 10n, BTC_MIN_WAD, BTC_MAX_WAD);
        await btcAggregator.setAnswer(100_000_000n);
        expect(await adapter.getPrice(BTC)).to.equal(BTC_MIN_WAD);
      });
    });

    describe("L2 sequencer", () => {
      it("returns the price when the sequencer has been up longer than the grace period", async () => {
        const { adapter } = await loadFixture(sequencerFixture);
        expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);
      });

      it("reverts SequencerDown while the sequencer is down", async () => {
        const { adapter, sequencerFeed } = await loadFixture(sequencerFixture);
        await sequencerFeed.setAnswer(1);
        await expect(adapter.getPrice(BTC)).to.be.revertedWithCustomError(adapter, "SequencerDown");
      });

      it("checks the sequencer before the feed", async () => {
        const { adapter, sequencerFeed } = await loadFixture(sequencerFixture);
        await sequencerFeed.setAnswer(1);
        await expect(adapter.getPrice(UNKNOWN)).to.be.revertedWithCustomError(adapter, "SequencerDown");
      });

      it("treats an uninitialised status round (startedAt = 0) as down", async () => {
        const { adapter, sequencerFeed } = await loadFixture(sequencerFixture);
        await sequencerFeed.setRoundData(9, 0, 0, 0, 9);
        await expect(adapter.getPrice(BTC)).to.be.revertedWithCustomError(adapter, "SequencerDown");
      });

      it("refuses prices for the grace period after the sequencer comes back, then accepts them", async () => {
        const { adapter, sequencerFeed, btcAggregator } = await loadFixture(sequencerFixture);
        await sequencerFeed.setAnswer(1);
        await sequencerFeed.setAnswer(0);
        const upSince = await time.latest();
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "SequencerGracePeriodNotOver")
          .withArgs(upSince, SEQUENCER_GRACE_PERIOD);

        await time.increase(SEQUENCER_GRACE_PERIOD - 1); // one second before the end
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "SequencerGracePeriodNotOver")
          .withArgs(upSince, SEQUENCER_GRACE_PERIOD);

        await networkHelpers.mine(); // now = upSince + gracePeriod: over
        expect(await time.latest()).to.equal(upSince + SEQUENCER_GRACE_PERIOD);
        expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);
        // The feed's own guards still apply after the sequencer check.
        await btcAggregator.setAnswer(0);
        await expect(adapter.getPrice(BTC)).to.be.revertedWithCustomError(adapter, "InvalidAnswer");
      });

      it("treats a status dated in the future as inside the grace period", async () => {
        const { adapter, sequencerFeed } = await loadFixture(sequencerFixture);
        const future = (await time.latest()) + 1_000;
        await sequencerFeed.setRoundData(9, 0, future, future, 9);
        await expect(adapter.getPrice(BTC))
          .to.be.revertedWithCustomError(adapter, "SequencerGracePeriodNotOver")
          .withArgs(future, SEQUENCER_GRACE_PERIOD);
      });

      it("with a zero grace period, accepts prices as soon as the sequencer is up", async () => {
        const { adapter, sequencerFeed } = await loadFixture(sequencerFixture);
        await adapter.setSequencerUptimeFeed(sequencerFeed, 0);
        await sequencerFeed.setAnswer(1);
        await expect(adapter.getPrice(BTC)).to.be.revertedWithCustomError(adapter, "SequencerDown");
        await sequencerFeed.setAnswer(0);
        expect(await adapter.getPrice(BTC)).to.equal(BTC_PRICE_WAD);
      });
    });
  });

  describe("tryGetPrice", () => {
    it("returns (true, price) equal to getPrice when the price is good", async () => {
      const { adapter } = await loadFixture(sequencerFixture);
      const [ok, priceWad] = await adapter.tryGetPrice(BTC);
      expect(ok).to.equal(true);
      expect(priceWad).to.equal(await adapter.getPrice(BTC));
      expect(priceWad).to.equal(BTC_PRICE_WAD);
    });

    // Each case breaks one guard; getPrice must revert with that guard's error and tryGetPrice must return (false, 0).
    type SequencerContext = Awaited<ReturnType<typeof sequencerFixture>>;
    const failures: Array<{ error: string; breakIt: (ctx: SequencerContext) => Promise<unknown>; feedId?: string }> = [
      { error: "FeedNotConfigured", breakIt: async () => undefined, feedId: UNKNOWN },
      { error: "InvalidAnswer", breakIt: ({ btcAggregator }) => btcAggregator.setAnswer(-5n) },
      { error: "StalePrice", breakIt: () => time.increase(BTC_HEARTBEAT + 1) },
      { error: "PriceOutOfBounds", breakIt: ({ btcAggregator }) => btcAggregator.setAnswer(BTC_ANSWER * 100n) },
      { error: "SequencerDown", breakIt: ({ sequencerFeed }) => sequencerFeed.setAnswer(1) },
      { error: "SequencerGracePeriodNotOver", breakIt: ({ sequencerFeed }) => sequencerFeed.setAnswer(0) },
    ];
    for (const { error, breakIt, feedId = BTC } of failures) {
      it(`returns (false, 0) where getPrice reverts ${error}`, async () => {
        const ctx = await loadFixture(sequencerFixture);
        await breakIt(ctx);
        await expect(ctx.adapter.getPrice(feedId)).to.be.revertedWithCustomError(ctx.adapter, error);
        const [ok, priceWad] = await ctx.adapter.tryGetPrice(feedId);
        expect(ok).to.equal(false);
        expect(priceWad).to.equal(0n);
      });
    }
  });
});

describe("MockAggregator", () => {
  it("reports its decimals, description and version", async () => {
    const aggregator = await ethers.deployContract("MockAggregator", [8, BTC_ANSWER, "BTC / USD"]);
    expect(await aggregator.decimals()).to.equal(8n);
    expect(await aggregator.description()).to.equal("BTC / USD");
    expect(await aggregator.version()).to.equal(4n);
  });

  it("setAnswer opens the next round at the block timestamp and emits AnswerUpdated", async () => {
    const aggregator = await ethers.deployContract("MockAggregator", [8, BTC_ANSWER, "BTC / USD"]);
    const firstRound = await aggregator.latestRoundData();
    expect(firstRound.roundId).to.equal(1n);
    expect(firstRound.answer).to.equal(BTC_ANSWER);

    const next = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(next);
    await expect(aggregator.setAnswer(123n)).to.emit(aggregator, "AnswerUpdated").withArgs(123n, 2n, next);
    const round = await aggregator.latestRoundData();
    expect(round.roundId).to.equal(2n);
    expect(round.answer).to.equal(123n);
    expect(round.startedAt).to.equal(BigInt(next));
    expect(round.updatedAt).to.equal(BigInt(next));
    expect(round.answeredInRound).to.equal(2n);
    // Earlier rounds stay readable.
    expect((await aggregator.getRoundData(1)).answer).to.equal(BTC_ANSWER);
  });

  it("setRoundData writes the round exactly as given and makes it the latest", async () => {
    const aggregator = await ethers.deployContract("MockAggregator", [8, BTC_ANSWER, "BTC / USD"]);
    await expect(aggregator.setRoundData(50, -7n, 11, 22, 49))
      .to.emit(aggregator, "AnswerUpdated")
      .withArgs(-7n, 50n, 22n);
    const round = await aggregator.latestRoundData();
    expect([round.roundId, round.answer, round.startedAt, round.updatedAt, round.answeredInRound]).to.deep.equal([
      50n,
      -7n,
      11n,
      22n,
      49n,
    ]);
    // setAnswer continues from the round set last.
    await aggregator.setAnswer(1n);
    expect((await aggregator.latestRoundData()).roundId).to.equal(51n);
  });

  it("lets anyone write answers (it is a local mock)", async () => {
    const { stranger } = await adminAndStranger();
    const aggregator = await ethers.deployContract("MockAggregator", [8, BTC_ANSWER, "BTC / USD"]);
    await aggregator.connect(stranger).setAnswer(5n);
    expect((await aggregator.latestRoundData()).answer).to.equal(5n);
  });
});
