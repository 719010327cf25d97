import {
  gridflexTopics,
  type MarketPrices,
  RegulatorRulesSchema,
  ResidentTariffSwitchSchema,
  SupplierTariffSchema,
} from '../../../protocol/gridflex.js';
import type { StepEvent } from '../event-bus.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

/**
 * The retail market: the regulator's rules and the suppliers' tariffs (controls), the tariff switches as
 * time goes by, and the rules, tariffs and prices in force on `gridflex/v1/market/…` (prices only when
 * they change).
 */
export class MarketExtension implements Extension {
  readonly name = 'market';
  private prices: MarketPrices;
  private lastPricesKey = '';

  constructor(private readonly hub: HubContext) {
    this.prices = hub.market.pricesAt(hub.clock.simTime);
  }

  start(): void {
    const { bus, controls } = this.hub;
    controls.handle('regulator-rules', (request) => this.setRules(request));
    controls.handle('supplier-tariff', (request) => this.offer(request));
    controls.handle('resident-tariff', (request) => this.switchHome(request));
    bus.on('started', this, () => this.publishMarket());
    bus.on('reconnected', this, () => this.publishMarket());
    bus.on('step', this, (event) => this.onStep(event));
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
    this.hub.controls.remove('regulator-rules');
    this.hub.controls.remove('supplier-tariff');
    this.hub.controls.remove('resident-tariff');
  }

  snapshot() {
    return { market: this.prices, marketRules: this.hub.market.rules, tariffs: this.hub.market.tariffs() };
  }

  private async onStep({ simTime }: StepEvent): Promise<void> {
    const switched = this.hub.market.tick(simTime);
    if (switched.length > 0) {
      await this.hub.bus.emit('pricesChanged', {});
      this.hub.activity.events(switched);
      this.publishTariffs();
    }
    this.publishPricesIfChanged(simTime);
  }

  private setRules({ body, who, now, simTime }: ControlRequest): ControlAnswer {
    const answer = this.hub.market.setRules(RegulatorRulesSchema.parse(body), who, now, simTime);
    if (answer.accepted) this.afterMarketChange();
    this.hub.activity.events(answer.news);
    return answer;
  }

  private offer({ id, body, now, simTime }: ControlRequest): ControlAnswer {
    const answer = this.hub.market.offer(id as string, SupplierTariffSchema.parse(body), now, simTime);
    if (answer.accepted) this.afterMarketChange();
    this.hub.activity.events(answer.news);
    return answer;
  }

  private switchHome({ id, body, simTime }: ControlRequest): ControlAnswer {
    const { tariff } = ResidentTariffSwitchSchema.parse(body);
    const answer = this.hub.market.requestSwitch(id as string, tariff, simTime);
    if (answer.accepted) this.afterMarketChange();
    this.hub.activity.events(answer.news);
    return answer;
  }

  /** After rules, offers or a home's tariff changed: plans are remade with the new prices; rules, tariffs and prices go out. */
  private afterMarketChange(): void {
    this.hub.bus
      .emit('pricesChanged', {})
      .catch((error: Error) => this.hub.log('error', `pricesChanged: ${error.message}`));
    this.publishMarket();
  }

  private publishMarket(): void {
    this.hub.publishJson(gridflexTopics.marketRules(), this.hub.market.rules, true, 1).catch(() => {});
    this.publishTariffs();
    this.lastPricesKey = '';
    this.publishPricesIfChanged(this.hub.clock.simTime);
  }

  private publishTariffs(): void {
    this.hub.publishJson(gridflexTopics.marketTariffs(), this.hub.market.tariffs(), true, 1).catch(() => {});
  }

  /** Prices change with time-of-use and network bands: published when they change, not every step. */
  private publishPricesIfChanged(simTime: Date): void {
    this.prices = this.hub.market.pricesAt(simTime);
    const { simTime: _time, ...terms } = this.prices;
    const key = JSON.stringify(terms);
    if (key === this.lastPricesKey) return;
    this.lastPricesKey = key;
    this.hub.publishJson(gridflexTopics.marketPrices(), this.prices, true, 1).catch(() => {});
  }
}
