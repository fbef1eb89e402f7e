import { IsUUID } from 'class-validator';
import { defineQueue } from '../messaging/queue-definition';

/** `users.erase`: the user whose data is to be erased; what to erase is found from the rows. */
export class UserEraseMessage {
  @IsUUID()
  user_id: string;
}

// Erasure resumes where it stopped (what is erased is gone), so retries are cheap. When they run
// out the erasure row stays and the sweeper publishes it again later: an erasure never gives up.
export const USERS_ERASE = defineQueue({
  name: 'users.erase',
  message: UserEraseMessage,
  retry: { maxAttempts: 8, backoffMs: 2000, maxBackoffMs: 60000 },
});
