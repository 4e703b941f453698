import {useEffect, useState} from 'react';
import type {ChangeFeed, LiveStatus} from '../../live/change-feed.js';

/** The feed's source (redis or polling) and lag, as it changes. */
export function useLiveStatus(feed: ChangeFeed): LiveStatus {
	const [status, setStatus] = useState<LiveStatus>(() => feed.status());
	useEffect(() => {
		setStatus(feed.status());
		return feed.onStatus(next => {
			setStatus(next);
		});
	}, [feed]);

	return status;
}
