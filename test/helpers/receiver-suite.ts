import {after, before} from 'node:test';
import {startOtlpReceiver, type OtlpReceiver} from '../../source/interop/otlp-receiver.js';
import {EventWriter} from '../../source/live/event-writer.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from './temp-home.js';
import {SqliteStore} from '../../source/store/sqlite-store.js';

export interface ReceiverSuite {
	readonly home: string;
	readonly index: RunIndex;
	readonly receiver: OtlpReceiver;
}

/**
 * An OTLP/HTTP receiver on a free port storing through an EventWriter into a
 * fresh home, shared by the tests of the suite it is called in: started in
 * before(), closed in after(). Read its fields inside a test.
 */
export function receiverSuite(): ReceiverSuite {
	let started: ReceiverSuite | undefined;
	before(async () => {
		const home = tempHome();
		const index = RunIndex.open(home);
		started = {home, index, receiver: await startOtlpReceiver({port: 0, sink: new EventWriter(new SqliteStore(index)), log: () => {}})};
	});
	after(async () => {
		await started?.receiver.close();
		started?.index.close();
	});
	const suite = (): ReceiverSuite => {
		if (started === undefined) {
			throw new Error('the receiver starts in before(): use it inside a test');
		}

		return started;
	};
	return {
		get home() {
			return suite().home;
		},
		get index() {
			return suite().index;
		},
		get receiver() {
			return suite().receiver;
		},
	};
}
