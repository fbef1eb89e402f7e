import { Injectable } from '@nestjs/common';
import {
  backtest,
  Backtest,
  detectSeason,
  FittedModel,
  fitHolt,
  fitHoltWinters,
  fitLinear,
  ForecastMethod,
  FORECAST_METHODS,
  MIN_FIT,
  NotFittable,
} from './analysis/forecast';
import { SeriesForecastDto, SeriesForecastQueryDto } from './dto/series.dto';
import { inRange } from './encoding/iso-time';
import { SeriesError } from './series.errors';
import { SeriesRepository } from './series.repository';
import { SeriesService } from './series.service';

/**
 * Models are fitted on the most recent FORECAST_WINDOW points only: the cost of a forecast stays
 * the same for a 1,000-point and a 1,000,000-point series (only that tail leaves the database),
 * and the recent past is what a short-horizon forecast should follow anyway.
 */
export const FORECAST_WINDOW = 10_000;
/** Held-out tail for the back-test: the horizon, but at most a fifth of the window. */
const HOLDOUT_SHARE = 0.2;

interface Candidate {
  method: ForecastMethod;
  fit: (y: Float64Array) => FittedModel;
  season?: number;
}

@Injectable()
export class SeriesForecastService {
  constructor(
    private readonly seriesService: SeriesService,
    private readonly repository: SeriesRepository,
  ) {}

  async forecast(ownerId: string, id: string, { horizon, method }: SeriesForecastQueryDto): Promise<SeriesForecastDto> {
    const series = await this.seriesService.getSeries(ownerId, id);
    const from = Math.max(0, series.count - FORECAST_WINDOW);
    const { values, timestamps } = await this.repository.loadSamples(series.id, from, series.count, 'ends');
    const n = values.length;
    const holdout = Math.max(1, Math.min(horizon, Math.floor(n * HOLDOUT_SHARE)));

    const candidates = this.candidates(values, holdout, method);
    const tested = candidates.flatMap((candidate) => {
      try {
        return [{ candidate, score: backtest(candidate.fit, values, holdout) }];
      } catch (error) {
        if (error instanceof NotFittable && method === 'auto') return [];
        // The back-test fits on the window minus its held-out tail; say so, or "has 2 points" would puzzle a 3-point series.
        throw error instanceof NotFittable
          ? SeriesError.notForecastable(`${error.message} (${n} in the window, ${holdout} held out for the back-test).`)
          : error;
      }
    });
    if (tested.length === 0) {
      throw SeriesError.notForecastable(`The series has ${n} points; forecasting needs at least ${MIN_FIT.linear + 1}.`);
    }
    const best = tested.reduce((a, b) => (b.score.rmse < a.score.rmse ? b : a));
    const steps = best.candidate.fit(values).forecast(horizon);

    // Timestamps continue the series' spacing: the sampling interval, or the mean interval of the window.
    const startMs = series.startAt.getTime();
    const rate = series.samplingRateHz;
    const lastMs = timestamps ? timestamps[1] : startMs + ((series.count - 1) * 1000) / rate!;
    const stepMs = timestamps ? (n > 1 ? (timestamps[1] - timestamps[0]) / (n - 1) : 1000) : 1000 / rate!;
    if (!inRange(lastMs + horizon * stepMs)) {
      throw SeriesError.notForecastable(`A horizon of ${horizon} would run past 9999-12-31.`, 'horizon');
    }
    if (steps.some((s) => !Number.isFinite(s.value) || !Number.isFinite(s.lower) || !Number.isFinite(s.upper))) {
      throw SeriesError.notForecastable('The forecast overflows double precision for this series.');
    }
    return {
      method: best.candidate.method,
      horizon,
      points: steps.map((step, k) => ({ timestamp: new Date(Math.round(lastMs + (k + 1) * stepMs)).toISOString(), ...step })),
      backtest: roundTrip(best.score, holdout),
      ...(best.candidate.season !== undefined ? { season: { length: best.candidate.season, detected_by: 'autocorrelation' as const } } : {}),
      fitted_on: n,
    };
  }

  private candidates(values: Float64Array, holdout: number, method: SeriesForecastQueryDto['method']): Candidate[] {
    const wanted = method === 'auto' ? FORECAST_METHODS : [method];
    return wanted.flatMap((name): Candidate[] => {
      if (name === 'linear') return [{ method: name, fit: fitLinear }];
      if (name === 'holt') return [{ method: name, fit: fitHolt }];
      // The season is looked for in the part the back-test fits on, so that both fits agree on it.
      const season = detectSeason(values.subarray(0, values.length - holdout));
      if (season === null) {
        if (method === 'auto') return [];
        throw SeriesError.notForecastable('holt_winters found no season in this series (no autocorrelation peak of 0.3 or more).');
      }
      return [{ method: name, fit: (y) => fitHoltWinters(y, season), season }];
    });
  }
}

function roundTrip(score: Backtest, holdout: number): { rmse: number; mae: number; holdout: number } {
  return { rmse: score.rmse, mae: score.mae, holdout };
}
