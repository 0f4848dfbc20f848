export * from "./createBallastClient.js";
