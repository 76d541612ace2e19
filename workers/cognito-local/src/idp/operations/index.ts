import {
  createUserPoolClient,
  deleteUserPoolClient,
  describeUserPoolClient,
  listUserPoolClients,
  updateUserPoolClient,
} from "./app-clients";
import type { Operation } from "./common";
import { describeUserPool } from "./user-pool";
import { adminCreateUser, adminDeleteUser, adminSetUserPassword } from "./users";

export type { Operation } from "./common";

/** The IdP API operations the stand-in serves, by the name after `AWSCognitoIdentityProviderService.`. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateUserPoolClient: createUserPoolClient,
  DescribeUserPoolClient: describeUserPoolClient,
  UpdateUserPoolClient: updateUserPoolClient,
  DeleteUserPoolClient: deleteUserPoolClient,
  ListUserPoolClients: listUserPoolClients,
  DescribeUserPool: describeUserPool,
  AdminCreateUser: adminCreateUser,
  AdminSetUserPassword: adminSetUserPassword,
  AdminDeleteUser: adminDeleteUser,
};
