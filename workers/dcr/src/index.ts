import { createWorker } from "./app";
import { RegistrationLimits } from "./limits/registration-limits";

export { RegistrationLimits };

export default createWorker();
